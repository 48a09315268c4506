import type { JobSummary } from "../jobwatch/jobSummary.js";
import { contentTypeOf } from "../payload/contentType.js";
import type { Outcome, Trigger, Watcher, Webhook } from "./model.js";

/** The body of one delivery, and how it is labelled. */
export interface DeliveryBody {
  body: string;
  contentType: string;
}

/**
 * The webhook's requestBody verbatim when it has one (the k8s-job-webhooks behaviour), else a
 * Standard Webhooks style JSON event: { type, timestamp, data: { job, watcher, trigger } }.
 */
export function deliveryBody(
  webhook: Webhook,
  watcher: Watcher,
  trigger: Trigger,
  job: { summary: JobSummary; outcome: Outcome; at: Date },
): DeliveryBody {
  if (webhook.requestBody !== undefined) {
    return { body: webhook.requestBody, contentType: contentTypeOf(webhook.requestBody) };
  }
  const s = job.summary;
  const event = {
    type: `job.${job.outcome.toLowerCase()}`,
    timestamp: job.at.toISOString(),
    data: {
      job: jobOf(s, job.outcome),
      watcher: {
        id: watcher.id,
        namespace: watcher.namespace,
        jobName: watcher.jobName,
        parentId: watcher.parentId || null,
      },
      trigger: { id: trigger.id, webhookId: trigger.webhookId },
    },
  };
  return { body: JSON.stringify(event), contentType: "application/json" };
}

// The event's Job: its identity, times, counts, and for a failed one why (its failed pods).
function jobOf(s: JobSummary, outcome: Outcome): Record<string, unknown> {
  return {
    namespace: s.namespace,
    name: s.name,
    uid: s.uid,
    outcome,
    cronJobName: s.cronJobName ?? null,
    createdAt: s.createdAt.toISOString(),
    startTime: s.startTime?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    reason: s.reason ?? null,
    message: s.message ?? null,
    active: s.active,
    succeeded: s.succeeded,
    failed: s.failed,
    failedPods: s.failedPods ?? null,
  };
}
