import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { sharedCluster } from "../support/cluster.js";
import {
  startControlplane,
  startGateway,
  storePathOf,
  type ControlplaneProcess,
  type JobhooksProcess,
} from "../support/controlplane.js";

describe("gateway: a separate process, over gRPC @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let gw: JobhooksProcess;

  before(async () => {
    cluster = await sharedCluster();
    cp = await startControlplane(cluster);
    gw = await startGateway(cp.grpcAddress);
  });

  after(async () => {
    await gw.stop();
    await cp.stop();
  });

  it("serves the REST API through the controlplane's gRPC API", async () => {
    const created = await fetch(`${gw.restUrl}/webhooks`, {
      method: "POST",
      body: JSON.stringify({ url: "http://127.0.0.1:59999/split" }),
    });
    expect(created.status).to.equal(201);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${gw.restUrl}/webhooks/${id}`);
    expect(read.status).to.equal(200);
    const bad = await fetch(`${gw.restUrl}/job-done-watchers`, {
      method: "POST",
      body: JSON.stringify({ jobName: "x", jobDoneTriggerWebhooks: [{ webhookId: "missing" }] }),
    });
    expect(bad.status).to.equal(404);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]?.field).to.equal(
      "jobDoneTriggerWebhooks[0].webhookId",
    );
    expect((await fetch(`http://${gw.healthAddress}/readyz`)).status).to.equal(200);
  });

  it("is not ready and answers 503 with Retry-After while the controlplane is away, and recovers", async () => {
    const storePath = storePathOf(cp);
    const port = cp.grpcAddress.split(":").at(-1);
    await cp.stop();
    const down = await fetch(`${gw.restUrl}/webhooks`);
    expect(down.status).to.equal(503);
    expect(down.headers.get("retry-after")).to.equal("1");
    expect(down.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expect((await fetch(`http://${gw.healthAddress}/readyz`)).status).to.equal(503);

    // Back on the same port, as a restarted pod behind its Service would be.
    cp = await startControlplane(cluster, { storePath, args: [`--grpc-listen=127.0.0.1:${port}`] });
    await waitFor("the gateway to reach the controlplane again", async () =>
      (await fetch(`${gw.restUrl}/webhooks`)).status === 200 ? true : undefined,
    );
    // The controlplane answers calls before it is ready (its first Job list); the gateway is
    // ready once the controlplane's health says SERVING, a moment later.
    await waitFor("the gateway to be ready again", async () =>
      (await fetch(`http://${gw.healthAddress}/readyz`)).status === 200 ? true : undefined,
    );
  });
});
