import * as k8s from "@kubernetes/client-node";
import { join } from "node:path";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";

/** The shipped PodDisruptionBudget example (manifests/examples/pdb.yaml), in `namespace`. */
export async function applyBudgetExample(cluster: TestCluster, namespace: string): Promise<void> {
  await cluster.kubectl([
    "apply",
    "-n",
    namespace,
    "-f",
    join(repoRoot, "manifests", "examples", "pdb.yaml"),
  ]);
}

/** A real eviction through the Eviction API: 201 when allowed, 429 when a budget refuses it. */
export async function evict(
  cluster: TestCluster,
  namespace: string,
  name: string,
): Promise<number> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  return core
    .createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } })
    .then(
      () => 201,
      (err: unknown) => (err as { code?: number }).code ?? 0,
    );
}

/**
 * Waits until the disruption controller has judged the example budget's pods (and its latest
 * spec), so that an eviction is decided on what it saw.
 */
export async function budgetSees(
  cluster: TestCluster,
  namespace: string,
  expected: number,
  healthy: number,
): Promise<void> {
  const policy = cluster.kubeConfig.makeApiClient(k8s.PolicyV1Api);
  await waitFor(`the budget to count ${expected} busy pods, ${healthy} healthy`, async () => {
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: "busy-workers", namespace });
    const s = pdb.status;
    const current = (s?.observedGeneration ?? 0) >= (pdb.metadata?.generation ?? 0);
    return current && s?.expectedPods === expected && s.currentHealthy === healthy
      ? true
      : undefined;
  });
}
