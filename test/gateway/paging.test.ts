import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { sharedCluster } from "../support/cluster.js";
import {
  startControlplane,
  startGateway,
  type ControlplaneProcess,
  type JobhooksProcess,
} from "../support/controlplane.js";

// Just under the gateway's 1 MiB body limit once wrapped in JSON: five of these add up to more
// than gRPC's default 4 MiB message limit between the gateway and the controlplane.
const BIG_BODY = "x".repeat(1024 * 1024 - 256);

describe("gateway: lists of big webhooks through the two-process layout @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let gw: JobhooksProcess;
  const ids: string[] = [];

  before(async () => {
    cluster = await sharedCluster();
    cp = await startControlplane(cluster);
    gw = await startGateway(cp.grpcAddress);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.restUrl}/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: `http://127.0.0.1:59999/big-${i}`, requestBody: BIG_BODY }),
      });
      expect(res.status, await res.clone().text()).to.equal(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
  });

  after(async () => {
    await gw.stop();
    await cp.stop();
  });

  it("answers GET /webhooks without limit with every webhook, more than 4 MiB in all", async () => {
    const res = await fetch(`${gw.restUrl}/webhooks`);
    expect(res.status, res.status === 200 ? "" : await res.text()).to.equal(200);
    const all = (await res.json()) as { id: string; requestBody: string }[];
    expect(all.map((w) => w.id)).to.have.members(ids);
    expect(all.every((w) => w.requestBody === BIG_BODY)).to.equal(true);
  });
});
