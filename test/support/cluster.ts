import * as k8s from "@kubernetes/client-node";
import { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { exitOnSignals } from "./exitOnSignals.js";

let shared: Promise<TestCluster> | undefined;

/**
 * The cluster all integration tests share, started on first use, so a run of unit tests alone
 * never starts one. Stopped by the root hook in test/hooks.ts.
 */
export function sharedCluster(): Promise<TestCluster> {
  if (!shared) {
    exitOnSignals();
    shared = TestCluster.start();
  }
  return shared;
}

export async function stopSharedCluster(): Promise<void> {
  if (!shared) return;
  const cluster = await shared.catch(() => undefined);
  shared = undefined;
  await cluster?.stop();
}

/** A fresh namespace whose default ServiceAccount exists, so pods can be created in it. */
export async function createTestNamespace(cluster: TestCluster, prefix: string): Promise<string> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const ns = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-` } } });
  const name = ns.metadata?.name;
  if (!name) throw new Error("namespace created without a name");
  await waitFor(`ServiceAccount ${name}/default`, () =>
    core.readNamespacedServiceAccount({ name: "default", namespace: name }),
  );
  return name;
}
