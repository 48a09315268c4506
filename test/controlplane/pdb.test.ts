import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { join } from "node:path";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { runningPod } from "../support/pods.js";

describe("the PodDisruptionBudget example protects counted pods @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let gw: ControlplaneProcess;
  let ns: string;

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "pdb");
    gw = await startControlplane(cluster, { role: "all", args: [`--default-namespace=${ns}`] });
  });

  after(async () => {
    await gw.stop();
  });

  async function evict(name: string): Promise<number> {
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    return core
      .createNamespacedPodEviction({
        name,
        namespace: ns,
        body: { metadata: { name, namespace: ns } },
      })
      .then(
        () => 201,
        (err: unknown) => (err as { code?: number }).code ?? 0,
      );
  }

  it("refuses to evict a pod while its count is above zero, and lets it go at zero", async () => {
    await cluster.kubectl([
      "apply",
      "-n",
      ns,
      "-f",
      join(repoRoot, "manifests", "examples", "pdb.yaml"),
    ]);
    await runningPod(cluster, ns, "busy");
    expect(
      await (await fetch(`${gw.restUrl}/increment?pod_name=busy`, { method: "POST" })).text(),
    ).to.equal("1");
    // The disruption controller has to see the pod under the budget before evictions are judged.
    const policy = cluster.kubeConfig.makeApiClient(k8s.PolicyV1Api);
    await waitFor("the budget to count the busy pod", async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({
        name: "busy-workers",
        namespace: ns,
      });
      return pdb.status?.expectedPods === 1 ? true : undefined;
    });
    expect(await evict("busy")).to.equal(429);

    expect(
      await (await fetch(`${gw.restUrl}/decrement?pod_name=busy`, { method: "POST" })).text(),
    ).to.equal("0");
    expect(await evict("busy")).to.equal(201);
  });
});
