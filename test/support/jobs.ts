import * as k8s from "@kubernetes/client-node";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";

export interface JobOptions {
  /** The pods fail (kwok stage annotation), so with backoffLimit 0 the Job fails. */
  fail?: boolean;
  /** The pods run this long before they finish. */
  runMs?: number;
  labels?: Record<string, string>;
  /** The Job's own annotations (jobhooks.dev/webhooks, …). */
  annotations?: Record<string, string>;
  ownerReferences?: k8s.V1OwnerReference[];
}

/** A one-pod Job that kwok runs: Complete at once, or as the options say. */
export function jobManifest(name: string, o: JobOptions = {}): k8s.V1Job {
  const annotations: Record<string, string> = {};
  if (o.fail) annotations["test.jobhooks.dev/outcome"] = "fail";
  if (o.runMs !== undefined) annotations["test.jobhooks.dev/run-ms"] = String(o.runMs);
  return {
    metadata: {
      name,
      ...(o.labels && { labels: o.labels }),
      ...(o.annotations && { annotations: o.annotations }),
      ...(o.ownerReferences && { ownerReferences: o.ownerReferences }),
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "work", image: "busybox", command: ["printenv"] }],
        },
      },
    },
  };
}

export async function createJob(
  cluster: TestCluster,
  namespace: string,
  name: string,
  o: JobOptions = {},
): Promise<k8s.V1Job> {
  const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
  return batch.createNamespacedJob({ namespace, body: jobManifest(name, o) });
}

/** The Job's terminal condition (Complete or Failed), once it has one. */
export async function jobFinished(
  cluster: TestCluster,
  namespace: string,
  name: string,
): Promise<k8s.V1JobCondition> {
  const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
  return waitFor(`Job ${namespace}/${name} to finish`, async () => {
    const j = await batch.readNamespacedJob({ name, namespace });
    return j.status?.conditions?.find(
      (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
  });
}

/**
 * Whether the Job has not finished (no Complete or Failed condition): what a test that gave it
 * a long run-ms checks before it counts on the Job still running.
 */
export async function jobRunning(
  cluster: TestCluster,
  namespace: string,
  name: string,
): Promise<boolean> {
  const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
  const j = await batch.readNamespacedJob({ name, namespace });
  return !j.status?.conditions?.some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

/**
 * A CronJob that never runs on its own (suspended), and the owner reference its Jobs carry: the
 * test creates those Jobs itself, as the CronJob controller would at a scheduled time.
 */
export async function suspendedCronJobOwner(
  cluster: TestCluster,
  namespace: string,
  name: string,
): Promise<k8s.V1OwnerReference> {
  const cron = await cluster.kubeConfig.makeApiClient(k8s.BatchV1Api).createNamespacedCronJob({
    namespace,
    body: {
      metadata: { name },
      spec: {
        schedule: "0 0 1 1 *",
        suspend: true,
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: "Never", containers: [{ name: "w", image: "busybox" }] },
            },
          },
        },
      },
    },
  });
  const uid = cron.metadata?.uid;
  if (!uid) throw new Error("CronJob created without a uid");
  return { apiVersion: "batch/v1", kind: "CronJob", name, uid, controller: true };
}
