import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import {
  applyBudgetExample,
  budgetSees as budgetSeesPods,
  evict as evictPod,
} from "../support/budget.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { runningPod, setPodReady } from "../support/pods.js";

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

  const evict = (name: string): Promise<number> => evictPod(cluster, ns, name);
  const budgetSees = (expected: number, healthy: number): Promise<void> =>
    budgetSeesPods(cluster, ns, expected, healthy);

  async function increment(pod: string): Promise<string> {
    return (await fetch(`${gw.restUrl}/increment?pod_name=${pod}`, { method: "POST" })).text();
  }

  it("refuses to evict a pod while its count is above zero, and lets it go at zero", async () => {
    await applyBudgetExample(cluster, ns);
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

  // A crashed worker: its count stays above zero, but it is not Ready. The example's
  // unhealthyPodEvictionPolicy: AlwaysAllow lets it go; without it the drain would wait for ever.
  it("lets a busy pod that is not Ready be evicted, and keeps a busy Ready one", async () => {
    const policy = cluster.kubeConfig.makeApiClient(k8s.PolicyV1Api);
    const pdb = await policy.readNamespacedPodDisruptionBudget({
      name: "busy-workers",
      namespace: ns,
    });
    expect(pdb.spec?.unhealthyPodEvictionPolicy).to.equal("AlwaysAllow");
    for (const name of ["crashed", "working"]) {
      await runningPod(cluster, ns, name);
      expect(await increment(name)).to.equal("1");
    }
    await setPodReady(cluster, ns, "crashed", false);
    await budgetSees(2, 1);
    expect(await evict("working")).to.equal(429);
    expect(await evict("crashed")).to.equal(201);
  });

  it("without that policy, a busy pod that is not Ready could not be evicted", async () => {
    const policy = cluster.kubeConfig.makeApiClient(k8s.PolicyV1Api);
    await policy.patchNamespacedPodDisruptionBudget(
      {
        name: "busy-workers",
        namespace: ns,
        body: { spec: { unhealthyPodEvictionPolicy: null } },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await runningPod(cluster, ns, "stuck");
    expect(await increment("stuck")).to.equal("1");
    await setPodReady(cluster, ns, "stuck", false);
    await budgetSees(2, 1); // working (Ready) and stuck
    expect(await evict("stuck")).to.equal(429);
  });
});
