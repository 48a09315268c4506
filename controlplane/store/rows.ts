import type {
  Delivery,
  Outcome,
  Trigger,
  TriggerStatus,
  Watcher,
  WatcherStatus,
  SecretRef,
  Webhook,
  WebhookOptions,
  WebhookSource,
} from "../watchers/model.js";
import type { NewWatcher } from "./WatcherRepo.js";

// Column shapes as the engines return them (times as milliseconds since the epoch), and their
// mapping to the domain.

export interface WebhookRow {
  id: string;
  url: string;
  request_body: string | null;
  description: string;
  secret: string | null;
  created_at: number;
  source: string | null;
  options: string | null;
  failing_since: number | null;
  disabled_at: number | null;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
}

export interface WatcherRow {
  id: string;
  namespace: string;
  job_name: string;
  cron_job_name: string;
  parent_id: string;
  timeout_seconds: number;
  notify_on: string;
  status: string;
  reason: string;
  message: string;
  job_uid: string;
  job_outcome: string | null;
  created_at: number;
  updated_at: number;
}

export interface TriggerRow {
  id: string;
  watcher_id: string;
  webhook_id: string;
  timeout_seconds: number;
  status: string;
  called_at: number | null;
  attempts: number;
  last_error: string;
}

export interface DeliveryRow {
  id: string;
  trigger_id: string;
  watcher_id: string;
  webhook_id: string;
  url: string;
  destination: string;
  body: string;
  content_type: string;
  secret: string | null;
  headers: string | null;
  secret_ref: string | null;
  deadline_at: number;
  next_attempt_at: number;
  attempts: number;
  created_at: number;
  redelivery: number;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
}

export function toWebhook(r: WebhookRow): Webhook {
  return {
    id: r.id,
    url: r.url,
    requestBody: r.request_body ?? undefined,
    description: r.description,
    secret: r.secret ?? undefined,
    createdAt: new Date(r.created_at),
    ...(r.source !== null && { source: sourceOf(r.source) }),
    ...(r.options !== null && { options: JSON.parse(r.options) as WebhookOptions }),
    ...(r.failing_since !== null && { failingSince: new Date(r.failing_since) }),
    ...(r.disabled_at !== null && { disabledAt: new Date(r.disabled_at) }),
    ...previousSecretOf(r),
  };
}

// A rotation's previous secret, as webhooks and deliveries keep it.
function previousSecretOf(r: {
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
}): { previousSecret?: { secret: string; expiresAt: Date } } {
  if (r.previous_secret === null || r.previous_secret_expires_at === null) return {};
  return {
    previousSecret: {
      secret: r.previous_secret,
      expiresAt: new Date(r.previous_secret_expires_at),
    },
  };
}

/** A mirrored webhook's source column: "Kind/namespace/name" (namespace "" when cluster-wide). */
export function sourceKey(s: WebhookSource): string {
  return `${s.kind}/${s.namespace}/${s.name}`;
}

function sourceOf(key: string): WebhookSource {
  const [kind, namespace, name] = key.split("/");
  return { kind: kind as WebhookSource["kind"], namespace: namespace ?? "", name: name ?? "" };
}

/**
 * Outbox columns beyond the first version's, one array per column: headers and secret_ref (JSON),
 * webhook_id, redelivery, previous_secret, previous_secret_expires_at.
 */
export function deliveryExtras(deliveries: readonly Delivery[]): (string | number | null)[][] {
  return [
    deliveries.map((d) => (d.headers ? JSON.stringify(d.headers) : null)),
    deliveries.map((d) => (d.secretRef ? JSON.stringify(d.secretRef) : null)),
    deliveries.map((d) => d.webhookId),
    deliveries.map((d) => (d.redelivery ? 1 : 0)),
    deliveries.map((d) => d.previousSecret?.secret ?? null),
    deliveries.map((d) => d.previousSecret?.expiresAt.getTime() ?? null),
  ];
}

export function toTrigger(r: TriggerRow): Trigger {
  return {
    id: r.id,
    watcherId: r.watcher_id,
    webhookId: r.webhook_id,
    timeoutSeconds: r.timeout_seconds,
    status: r.status as TriggerStatus,
    calledAt: r.called_at === null ? undefined : new Date(r.called_at),
    attempts: r.attempts,
    lastError: r.last_error,
  };
}

export function toWatcher(r: WatcherRow, triggers: Trigger[]): Watcher {
  return {
    id: r.id,
    namespace: r.namespace,
    jobName: r.job_name,
    cronJobName: r.cron_job_name,
    parentId: r.parent_id,
    timeoutSeconds: r.timeout_seconds,
    notifyOn: r.notify_on === "" ? [] : (r.notify_on.split(",") as Outcome[]),
    status: r.status as WatcherStatus,
    reason: r.reason,
    message: r.message,
    jobUid: r.job_uid,
    jobOutcome: (r.job_outcome ?? undefined) as Outcome | undefined,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    triggers,
  };
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    triggerId: r.trigger_id,
    watcherId: r.watcher_id,
    webhookId: r.webhook_id,
    url: r.url,
    destination: r.destination,
    body: r.body,
    contentType: r.content_type,
    secret: r.secret ?? undefined,
    ...(r.headers !== null && { headers: JSON.parse(r.headers) as Record<string, string> }),
    ...(r.secret_ref !== null && { secretRef: JSON.parse(r.secret_ref) as SecretRef }),
    deadlineAt: new Date(r.deadline_at),
    nextAttemptAt: new Date(r.next_attempt_at),
    attempts: r.attempts,
    createdAt: new Date(r.created_at),
    ...(r.redelivery !== 0 && { redelivery: true }),
    ...previousSecretOf(r),
  };
}

/** A webhook's columns in the order both engines insert them (see toWebhook for the reverse). */
export function webhookValues(w: Webhook): (string | number | null)[] {
  return [
    w.id,
    w.url,
    w.requestBody ?? null,
    w.description,
    w.secret ?? null,
    w.createdAt.getTime(),
    w.source ? sourceKey(w.source) : null,
    w.options ? JSON.stringify(w.options) : null,
  ];
}

/** A new watcher's columns in the order both engines insert them (toWatcher is the reverse). */
export function watcherValues(n: NewWatcher): (string | number | null)[] {
  const w = n.watcher;
  return [
    w.id,
    w.namespace,
    w.jobName,
    w.cronJobName,
    w.parentId,
    w.timeoutSeconds,
    w.notifyOn.join(","),
    w.status,
    w.reason,
    w.message,
    w.jobUid,
    w.createdAt.getTime(),
    w.updatedAt.getTime(),
    n.deadlineAt?.getTime() ?? null,
    n.bindBy?.getTime() ?? null,
    n.idempotencyKey ?? null,
    n.requestHash ?? null,
  ];
}
