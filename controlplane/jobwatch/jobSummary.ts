import type {
  V1Job,
  V1JobCondition,
  V1JobStatus,
  V1ObjectMeta,
  V1OwnerReference,
} from "@kubernetes/client-node";
import type { PodFailure } from "./podFailures.js";

/** How a finished Job ended. */
export const JobOutcome = { SUCCEEDED: "SUCCEEDED", FAILED: "FAILED" } as const;
export type JobOutcome = (typeof JobOutcome)[keyof typeof JobOutcome];

/**
 * What jobhooks keeps of a Job: enough to decide and report, small enough for tens of thousands
 * in memory (a full Job, managedFields and pod template included, is many times larger).
 */
export interface JobSummary {
  uid: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  /** metadata.creationTimestamp */
  createdAt: Date;
  /** The controlling CronJob (batch/v1), if a CronJob created this Job. */
  cronJobName?: string;
  /** Set once the Job has a Complete or Failed condition with status "True". */
  outcome?: JobOutcome;
  /** When that condition became true (else status.completionTime). */
  finishedAt?: Date;
  reason?: string;
  message?: string;
  startTime?: Date;
  active: number;
  succeeded: number;
  failed: number;
  labels: Record<string, string>;
  /**
   * The Job's annotations, for payload templates, but for kubectl's last-applied-configuration
   * (a copy of the whole object, often the largest thing on it).
   */
  annotations?: Record<string, string>;
  /** A failed Job's failed pods, read when its watchers are notified (FailedPods). */
  failedPods?: PodFailure[];
}

// Only these two are final. SuccessCriteriaMet and FailureTarget come first, while the Job
// controller still terminates pods, and a watcher must not fire before the Job is really done.
const TERMINAL_CONDITIONS: ReadonlyMap<string, JobOutcome> = new Map([
  ["Complete", JobOutcome.SUCCEEDED],
  ["Failed", JobOutcome.FAILED],
]);

type Terminal = Pick<JobSummary, "outcome" | "finishedAt" | "reason" | "message">;

/**
 * Reduces a Job to its summary. Pure. Accepts Jobs from list calls (timestamps as Dates) and
 * from raw watch events (timestamps as RFC 3339 strings). Throws if the Job has no identity.
 */
export function summarizeJob(job: V1Job): JobSummary {
  const meta = job.metadata ?? {};
  const status = job.status ?? {};
  // Every summary gets the same keys in the same order, so V8 gives them one shape.
  return {
    ...identity(meta),
    resourceVersion: meta.resourceVersion ?? "",
    cronJobName: controllingCronJob(meta.ownerReferences),
    ...terminalState(status),
    startTime: toDate(status.startTime),
    active: status.active ?? 0,
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    labels: meta.labels ?? {},
    annotations: keptAnnotations(meta.annotations),
  };
}

/** Whether two summaries of one Job tell the same ending (or both none), for the watcher rules. */
export function sameOutcome(a: JobSummary, b: JobSummary): boolean {
  return a.outcome === b.outcome && a.finishedAt?.getTime() === b.finishedAt?.getTime();
}

function identity(
  meta: V1ObjectMeta,
): Pick<JobSummary, "uid" | "namespace" | "name" | "createdAt"> {
  const { uid, name, namespace } = meta;
  const createdAt = toDate(meta.creationTimestamp);
  if (uid && name && namespace && createdAt) return { uid, namespace, name, createdAt };
  const missing = Object.entries({ uid, name, namespace, creationTimestamp: createdAt })
    .filter(([, value]) => !value)
    .map(([key]) => `metadata.${key}`);
  throw new Error(
    `cannot summarize Job ${namespace ?? "?"}/${name ?? "?"}: missing ${missing.join(", ")}`,
  );
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function keptAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  if (!annotations || !(LAST_APPLIED in annotations)) return annotations ?? {};
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => key !== LAST_APPLIED));
}

function terminalState(status: V1JobStatus): Terminal {
  const condition = status.conditions?.find(isTerminal);
  if (!condition) {
    return { outcome: undefined, finishedAt: undefined, reason: undefined, message: undefined };
  }
  return {
    outcome: TERMINAL_CONDITIONS.get(condition.type),
    finishedAt: toDate(condition.lastTransitionTime) ?? toDate(status.completionTime),
    reason: condition.reason,
    message: condition.message,
  };
}

function isTerminal(condition: V1JobCondition): boolean {
  return condition.status === "True" && TERMINAL_CONDITIONS.has(condition.type);
}

function controllingCronJob(owners: V1OwnerReference[] | undefined): string | undefined {
  return owners?.find(
    (o) => o.controller === true && o.kind === "CronJob" && o.apiVersion === "batch/v1",
  )?.name;
}

// Typed as Date by client-node, but a string when the object came straight off a watch stream.
function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
