import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ClientError, Status } from "nice-grpc";
import {
  AttemptErrorClass,
  AttemptOutcome,
  TriggerStatus,
  WatcherStatus,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { deleteWebhookObjects, kubectlApply } from "../support/apply.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { problemFields, restCaller } from "../support/restCall.js";
import { rejects } from "../support/rejects.js";
import { finalWatcher, webhookTo } from "../support/watchers.js";
import { webhookObject } from "../support/webhookObjects.js";

// Every address here is loopback, so nothing leaves the machine even if the guard is broken:
// 127.0.0.2 stands for a denied destination (Linux routes all of 127/8 to lo), and the name
// denied.egress.test resolves to it only inside the controlplane's own mount namespace, where
// names come from a hosts file and DNS is off (ControlplaneRun.hosts).
const DENIED_NAME = "denied.egress.test";
const METADATA_URL = "http://169.254.169.254/latest/meta-data/";

describe("controlplane: egress guard (--deny-destinations, --allow-destinations) @cluster", function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let receiver: Receiver;
  let denied: Server;
  let deniedPort: number;
  let connections = 0;

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
    denied = createServer((_req, res) => res.end("should never be reached"));
    denied.on("connection", () => (connections += 1));
    denied.listen(0, "127.0.0.2");
    await once(denied, "listening");
    deniedPort = (denied.address() as AddressInfo).port;
    cp = await startControlplane(cluster, {
      role: "all",
      hosts: `127.0.0.2 ${DENIED_NAME}`,
      args: [
        "--deny-destinations=169.254.0.0/16,fe80::/10,127.0.0.2/32",
        "--allow-destinations=127.0.0.1/32",
        "--retry-base=50ms",
        "--retry-max=200ms",
      ],
    });
  });

  after(async () => {
    await cp.stop();
    await receiver.stop();
    denied.close();
    await deleteWebhookObjects(cluster);
  });

  async function fire(ns: string, webhookId: string): Promise<string> {
    await createJob(cluster, ns, "work");
    const w = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "work",
      triggers: [{ webhookId, timeoutSeconds: 0 }],
      notifyOn: [],
      timeoutSeconds: 0,
    });
    return w.id;
  }

  it("ends a delivery to a name resolving to a denied address FAILED (EgressDenied) without connecting", async () => {
    const ns = await createTestNamespace(cluster, "egress-name");
    const url = `http://${DENIED_NAME}:${deniedPort}/hook`;
    // A name is not resolved at creation: its addresses may change. It is judged at each connect.
    const done = await finalWatcher(cp, await fire(ns, await webhookTo(cp, url)));
    expect(done.status).to.equal(WatcherStatus.FAILED);
    expect(done.triggers[0]).to.include({ status: TriggerStatus.FAILED, attempts: 1 });
    expect(done.triggers[0]?.lastError).to.equal(
      "EgressDenied: 127.0.0.2 is in --deny-destinations",
    );
    expect(connections).to.equal(0);
    // The attempt log names the class, the host by its name, and no status.
    const log = await cp.watchers.listDeliveryAttempts({ id: done.id, pageSize: 0, pageToken: "" });
    expect(log.attempts.map((a) => [a.errorClass, a.host, a.statusCode])).to.deep.equal([
      [AttemptErrorClass.EGRESS_DENIED, `${DENIED_NAME}:${deniedPort}`, undefined],
    ]);
  });

  // DNS is off in the controlplane's namespace: a name the hosts file lacks fails there.
  it("classes a name that resolves nowhere as dns in the attempt log", async () => {
    const ns = await createTestNamespace(cluster, "egress-dns");
    const webhookId = await webhookTo(cp, `http://nowhere.egress.invalid:${deniedPort}/hook`);
    await createJob(cluster, ns, "work");
    const w = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "work",
      triggers: [{ webhookId, timeoutSeconds: 1 }],
    });
    const done = await finalWatcher(cp, w.id);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.TIMEOUT);
    const log = await cp.watchers.listDeliveryAttempts({ id: w.id, pageSize: 0, pageToken: "" });
    expect(log.attempts.length).to.be.greaterThan(0);
    expect(new Set(log.attempts.map((a) => a.errorClass))).to.deep.equal(
      new Set([AttemptErrorClass.DNS]),
    );
    expect(log.attempts.at(-1)?.outcome).to.equal(AttemptOutcome.TIMEOUT);
    expect(connections).to.equal(0);
  });

  it("refuses a literal denied address at creation: 400 over REST, INVALID_ARGUMENT over gRPC, InvalidSpec for an object", async () => {
    const rest = restCaller(() => cp.restUrl);
    const reply = await rest("POST", "/webhooks", "/webhooks", {
      body: { url: METADATA_URL, description: "metadata" },
    });
    expect(reply.status).to.equal(400);
    expect(problemFields(reply)).to.deep.equal(["url"]);
    expect(JSON.stringify(reply.body)).to.contain("169.254.169.254 is in --deny-destinations");

    const err = await rejects(
      cp.webhooks.createWebhook({ url: METADATA_URL, description: "metadata" }),
      ClientError,
    );
    expect(err.code).to.equal(Status.INVALID_ARGUMENT);
    expect(err.details).to.contain("169.254.169.254 is in --deny-destinations");

    const ns = await createTestNamespace(cluster, "egress-object");
    await kubectlApply(cluster, [webhookObject(ns, "metadata", { url: METADATA_URL })]);
    const ready = await waitFor("the Ready condition", async () => {
      const o = JSON.parse(
        await cluster.kubectl(["get", "webhook", "metadata", "-n", ns, "-o", "json"]),
      ) as { status?: { conditions?: { type: string; reason: string; message: string }[] } };
      return o.status?.conditions?.find((c) => c.type === "Ready");
    });
    expect(ready).to.include({ reason: "InvalidSpec" });
    expect(ready.message).to.match(/^spec\.url: 169\.254\.169\.254 is in --deny-destinations/);
    // No webhook was made, so no Job can ever be completed for one.
    const listed = await cp.webhooks.listWebhooks({});
    expect(listed.webhooks.map((w) => w.url)).to.not.include(METADATA_URL);
  });

  it("still delivers to an allowed loopback receiver", async () => {
    const ns = await createTestNamespace(cluster, "egress-allowed");
    const path = `/${ns}/allowed`;
    const done = await finalWatcher(cp, await fire(ns, await webhookTo(cp, receiver.url + path)));
    expect(done.status).to.equal(WatcherStatus.COMPLETED);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.CALLED);
    expect(await receiver.waitFor(path, 1)).to.have.length(1);
    expect(connections).to.equal(0);
  });
});
