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
  /** The Job; or, with `regarding`, the namespace and name the Event is written under. */
  job: JobRef;
  /** Another object the Event is about (a Webhook object); absent: the Job. */
  regarding?: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string };
  type: "Normal" | "Warning";
  /** What jobhooks was doing; default "Deliver". */
  action?: string;
  reason: string;
  note: string;
}

/** Longest note: the apiserver takes up to 1 KiB. */
const MAX_NOTE = 1024;

/**
 * The Event one recorded attempt tells on its Job: Delivered, DeliveryRetrying (with the
 * error and when the next attempt is due) or DeliveryFailed (refused, or out of time). It names
 * the webhook and where it went (the URL's origin only: a path or query may hold a token), and
 * counts the attempts. A webhook mirrored from an object is named as the object ("Webhook
 * team-a/chat"), one made through the API by its id. Undefined when the watcher is not bound to a Job.
 */
export function deliveryEvent(
  d: Delivery,
  step: AttemptStep,
  watcher: Watcher | undefined,
  nameOf: (webhookId: string) => string | undefined = () => undefined,
): JobEvent | undefined {
  if (!watcher || watcher.jobUid === "" || watcher.jobName === "") return undefined;
  const job = { namespace: watcher.namespace, name: watcher.jobName, uid: watcher.jobUid };
  const attempt = `attempt ${step.record.attempts}`;
  const to = `${webhookName(d, watcher, nameOf)} (${d.destination})`;
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

/**
 * The Warning Event WebhookDisabled on the Job whose delivery attempt disabled its webhook: it
 * failed without a success for --disable-after, and its deliveries now wait until it is enabled.
 */
export function webhookDisabledEvent(
  d: Delivery,
  watcher: Watcher | undefined,
  o: { nameOf: (webhookId: string) => string | undefined; disableAfterMs: number | undefined },
): JobEvent | undefined {
  if (!watcher || watcher.jobUid === "" || watcher.jobName === "") return undefined;
  const job = { namespace: watcher.namespace, name: watcher.jobName, uid: watcher.jobUid };
  const hours = Math.round(((o.disableAfterMs ?? 0) / 3_600_000) * 1000) / 1000;
  const note = `${webhookName(d, watcher, o.nameOf)} (${d.destination}): disabled after failing without a success for ${hours} h (--disable-after); its deliveries wait until it is enabled (POST /webhooks/${d.webhookId}/enable)`;
  return { job, type: "Warning", reason: "WebhookDisabled", note: cut(note) };
}

// The object a mirrored webhook stands for ("Webhook team-a/chat"), else "webhook <id>".
function webhookName(
  d: Delivery,
  watcher: Watcher,
  nameOf: (webhookId: string) => string | undefined,
): string {
  const webhookId = watcher.triggers.find((t) => t.id === d.triggerId)?.webhookId ?? "?";
  return nameOf(webhookId) ?? `webhook ${webhookId}`;
}

function cut(note: string): string {
  return note.length <= MAX_NOTE ? note : `${note.slice(0, MAX_NOTE - 1)}…`;
}
