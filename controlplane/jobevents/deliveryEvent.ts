import type { AttemptStep } from "../dispatcher/decideAttempt.js";
import type { Delivery, Watcher } from "../watchers/model.js";

/** The Job a Kubernetes Event is about. */
export interface JobRef {
  namespace: string;
  name: string;
  uid: string;
}

/** A Kubernetes Event on a Job, as `kubectl describe job` shows it. */
export interface JobEvent {
  job: JobRef;
  type: "Normal" | "Warning";
  reason: string;
  note: string;
}

/** Longest note: the apiserver takes up to 1 KiB. */
const MAX_NOTE = 1024;

/**
 * The Event one recorded attempt tells on its Job: Delivered, DeliveryRetrying (with the
 * error and when the next attempt is due) or DeliveryFailed (refused, or out of time). It names
 * the webhook and where it went (the URL's origin only: a path or query may hold a token), and
 * counts the attempts. Undefined when the watcher is not bound to a Job.
 */
export function deliveryEvent(
  d: Delivery,
  step: AttemptStep,
  watcher: Watcher | undefined,
): JobEvent | undefined {
  if (!watcher || watcher.jobUid === "" || watcher.jobName === "") return undefined;
  const job = { namespace: watcher.namespace, name: watcher.jobName, uid: watcher.jobUid };
  const webhookId = watcher.triggers.find((t) => t.id === d.triggerId)?.webhookId ?? "?";
  const attempt = `attempt ${step.record.attempts}`;
  const to = `webhook ${webhookId} (${d.destination})`;
  const error = step.record.lastError;
  switch (step.outcome) {
    case "delivered":
      return { job, type: "Normal", reason: "Delivered", note: `${to}: delivered on ${attempt}` };
    case "retry":
      return {
        job,
        type: "Warning",
        reason: "DeliveryRetrying",
        note: cut(`${to}: ${error}; ${attempt}, next at ${step.retryAt.toISOString()}`),
      };
    case "rejected":
      return {
        job,
        type: "Warning",
        reason: "DeliveryFailed",
        note: cut(`${to}: refused on ${attempt}, not retried: ${error}`),
      };
    case "timeout":
      return {
        job,
        type: "Warning",
        reason: "DeliveryFailed",
        note: cut(`${to}: gave up after ${attempt}: ${error}`),
      };
  }
}

function cut(note: string): string {
  return note.length <= MAX_NOTE ? note : `${note.slice(0, MAX_NOTE - 1)}…`;
}
