import * as k8s from "@kubernetes/client-node";
import { waitFor } from "../test/cluster/wait.js";
import { mapConcurrent } from "./mapConcurrent.js";

/**
 * spec.managedBy of the benchmark's Jobs: the Job controller leaves such Jobs alone, so their
 * status changes exactly when the benchmark writes it.
 */
export const BENCH_MANAGER = "jobhooks.dev/bench";

/** A one-pod Job no controller runs; only its status, written by us, ever changes. */
export function managedJobManifest(name: string): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      managedBy: BENCH_MANAGER,
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "work", image: "busybox", command: ["true"] }],
        },
      },
    },
  };
}

/**
 * The status of a Job that succeeded at `at`, as the apiserver accepts it from an external
 * manager in one write: Complete=True needs SuccessCriteriaMet=True beside it, a startTime and
 * a completionTime not before it. Times are cut to whole seconds, as the server stores them:
 * startTime is immutable once set, so a later write must repeat it exactly.
 */
export function succeededStatus(at: Date): k8s.V1JobStatus {
  const time = new Date(Math.floor(at.getTime() / 1000) * 1000);
  const condition = (type: string): k8s.V1JobCondition => ({
    type,
    status: "True",
    reason: "CompletionsReached",
    message: "Reached expected number of succeeded pods",
    lastProbeTime: time,
    lastTransitionTime: time,
  });
  return {
    startTime: time,
    completionTime: time,
    succeeded: 1,
    conditions: [condition("SuccessCriteriaMet"), condition("Complete")],
  };
}

export async function createManagedJobs(
  batch: k8s.BatchV1Api,
  namespace: string,
  names: readonly string[],
  onProgress?: (created: number) => void,
): Promise<void> {
  let created = 0;
  await mapConcurrent(names, 50, async (name) => {
    await batch.createNamespacedJob({ namespace, body: managedJobManifest(name) });
    onProgress?.(++created);
  });
}

/** One terminal-status write: Date.now() just before sending it and when its response returned. */
export interface StatusWrite {
  name: string;
  sentAt: number;
  returnedAt: number;
}

/** Marks the Job succeeded with one merge patch of its status subresource. */
export async function completeJob(
  batch: k8s.BatchV1Api,
  namespace: string,
  name: string,
): Promise<StatusWrite> {
  const sentAt = Date.now();
  await batch.patchNamespacedJobStatus(
    { name, namespace, body: { status: succeededStatus(new Date(sentAt)) } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
  return { name, sentAt, returnedAt: Date.now() };
}

/** Job names `prefix-0000`, `prefix-0001`, … */
export function jobNames(prefix: string, count: number): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(width, "0")}`);
}

/** Deletes every Job of the namespaces and waits until they are gone. */
export async function deleteAllJobs(
  batch: k8s.BatchV1Api,
  namespaces: readonly string[],
): Promise<void> {
  for (const namespace of namespaces) {
    // Background: the default for Jobs orphans, which leaves each Job behind a finalizer
    // until the garbage collector gets to it.
    await batch.deleteCollectionNamespacedJob({ namespace, propagationPolicy: "Background" });
    await waitFor(`the Jobs of ${namespace} to be deleted`, async () => {
      const left = await batch.listNamespacedJob({ namespace, limit: 1 });
      return left.items.length === 0 ? true : undefined;
    });
  }
}
