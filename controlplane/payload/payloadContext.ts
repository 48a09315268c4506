import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { PodFailure } from "../jobwatch/podFailures.js";
import type { Outcome } from "../watchers/model.js";

/**
 * All a payload template can see (design issue 13). Plain data only: times are ISO strings,
 * what is unknown is null (so `{{ job.reason | json }}` writes null, never nothing), lists are
 * empty rather than absent.
 */
export interface PayloadContext {
  job: {
    namespace: string;
    name: string;
    uid: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    outcome: "succeeded" | "failed" | "deleted";
    reason: string | null;
    message: string | null;
    createdAt: string;
    startTime: string | null;
    finishedAt: string | null;
    /** finishedAt − startTime, in seconds. */
    durationSeconds: number | null;
    cronJobName: string | null;
    /** Newest first, at most MAX_FAILED_PODS; empty unless the Job failed. */
    failedPods: PodFailure[];
  };
  webhook: {
    name: string;
    /** Empty for a ClusterWebhook and for webhooks made through the API. */
    namespace: string;
    kind: string;
  };
  watcher: { id: string };
  event: {
    /** The delivery's webhook-id header. */
    id: string;
    /** e.g. job.failed */
    type: string;
    /** When the Job reached its outcome. */
    time: string;
  };
}

/** What payloadContext builds a context from. */
export interface PayloadContextInput {
  job: JobSummary;
  outcome: Outcome;
  webhook: { kind: string; namespace: string; name: string };
  watcherId: string;
  /** The delivery's webhook-id. */
  eventId: string;
  /** When the Job reached its outcome. */
  time: Date;
}

/**
 * The context of one delivery. Pure. Everything is copied: a template renders over data of its
 * own, never over the summary the watchers keep.
 */
export function payloadContext(input: PayloadContextInput): PayloadContext {
  const outcome = outcomeOf(input.outcome);
  return {
    job: jobOf(input.job, outcome),
    webhook: {
      name: input.webhook.name,
      namespace: input.webhook.namespace,
      kind: input.webhook.kind,
    },
    watcher: { id: input.watcherId },
    event: { id: input.eventId, type: `job.${outcome}`, time: input.time.toISOString() },
  };
}

function outcomeOf(outcome: Outcome): PayloadContext["job"]["outcome"] {
  return outcome.toLowerCase() as Lowercase<Outcome>;
}

function jobOf(s: JobSummary, outcome: PayloadContext["job"]["outcome"]): PayloadContext["job"] {
  return {
    namespace: s.namespace,
    name: s.name,
    uid: s.uid,
    labels: { ...s.labels },
    annotations: { ...s.annotations },
    outcome,
    reason: s.reason ?? null,
    message: s.message ?? null,
    createdAt: s.createdAt.toISOString(),
    startTime: s.startTime?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    durationSeconds: durationSeconds(s.startTime, s.finishedAt),
    cronJobName: s.cronJobName ?? null,
    failedPods: (s.failedPods ?? []).map((p) => ({
      pod: p.pod,
      reason: p.reason,
      containers: p.containers.map((c) => ({ ...c })),
    })),
  };
}

function durationSeconds(start: Date | undefined, end: Date | undefined): number | null {
  if (!start || !end) return null;
  return (end.getTime() - start.getTime()) / 1000;
}
