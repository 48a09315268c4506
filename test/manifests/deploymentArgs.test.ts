import type * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { sharedCluster } from "../support/cluster.js";
import { startControlplane, startGateway } from "../support/controlplane.js";
import { manifestsDir, readObjects } from "../support/manifests.js";

/** The args of a shipped Deployment's container, with $(POD_NAMESPACE) as kubelet expands it. */
function shippedArgs(file: string, name: string): string[] {
  const deployment = readObjects(join(manifestsDir, file)).find(
    (o) => o.kind === "Deployment" && o.metadata.name === name,
  ) as unknown as k8s.V1Deployment | undefined;
  const args = deployment?.spec?.template.spec?.containers[0]?.args;
  if (!args) throw new Error(`no args in ${file} ${name}`);
  return args.map((a) => a.replaceAll("$(POD_NAMESPACE)", "jobhooks-system"));
}

// A server-side dry run checks the Deployments' shape, not their args: run them.
describe("the Deployments' command lines @cluster", function () {
  this.timeout(60_000);
  let cluster: TestCluster;

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
  });

  it("start the controlplane: its flags parse, the injector makes its certificate and listens", async () => {
    const [role, ...args] = shippedArgs("controlplane.yaml", "jobhooks-controlplane");
    expect(role).to.equal("controlplane");
    // Only where it listens and keeps its store differ, so that it runs on loopback here.
    const cp = await startControlplane(cluster, {
      auth: "tokenreview",
      injector: true,
      args: [...args.filter((a) => !a.startsWith("--store=")), "--webhook-listen=127.0.0.1:0"],
    });
    try {
      expect(cp.webhookAddress).to.match(/^127\.0\.0\.1:\d+$/);
      const ready = await fetch(`http://${cp.healthAddress}/healthz`);
      expect(ready.status).to.equal(200);
    } finally {
      expect(await cp.stop()).to.equal(0);
    }
  });

  it("start the gateway: its flags parse and it serves", async () => {
    const [role, ...args] = shippedArgs("gateway.yaml", "jobhooks-gateway");
    expect(role).to.equal("gateway");
    const gw = await startGateway("127.0.0.1:1", args);
    try {
      expect((await fetch(`${gw.restUrl}/openapi.json`)).status).to.equal(200);
    } finally {
      expect(await gw.stop()).to.equal(0);
    }
  });
});
