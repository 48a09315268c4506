import type {
  DeliveryAttempt,
  Trigger,
  Watcher,
  WatcherFilter,
  WatcherRequest,
  WatcherStatus,
  WebhookInput,
  WebhookView,
} from "../contract/model.js";
import type {
  DeliveryAttemptJson,
  SidecarWatcherCreateJson,
  WatcherJson,
  WebhookCreateJson,
  WebhookJson,
} from "./shapes.js";

// The REST API's JSON and the contract's types, each way. The REST names of enums are the
// contract's values (PENDING, SUCCEEDED), so they pass through as they are.

export function webhookJson(w: WebhookView): WebhookJson {
  return {
    id: w.id,
    url: w.url,
    requestBody: w.requestBody ?? "",
    description: w.description,
    createdAt: w.createdAt.toISOString(),
    signed: w.signed,
    readOnly: w.readOnly,
    ...(w.source && { source: { ...w.source } }),
    ...(w.bodyTemplate !== undefined && { bodyTemplate: w.bodyTemplate }),
    ...(w.headers && { headers: { ...w.headers } }),
    ...(w.cloudEvents && { cloudEvents: { mode: w.cloudEvents.mode } }),
    disabled: w.disabled,
    ...(w.disabledAt && { disabledAt: w.disabledAt.toISOString() }),
    ...(w.failingSince && { failingSince: w.failingSince.toISOString() }),
    ...(w.previousSecretExpiresAt && {
      previousSecretExpiresAt: w.previousSecretExpiresAt.toISOString(),
    }),
  };
}

export function webhookInput(b: WebhookCreateJson): WebhookInput {
  return {
    url: b.url,
    // An empty requestBody carries nothing: it means the JSON event, as an absent one does.
    requestBody: b.requestBody === "" ? undefined : b.requestBody,
    description: b.description,
    secret: b.secret,
    ...(b.bodyTemplate !== undefined && { bodyTemplate: b.bodyTemplate }),
    ...(b.headers && { headers: b.headers }),
    ...(b.cloudEvents && { cloudEvents: { mode: b.cloudEvents.mode ?? "Binary" } }),
  };
}

/** A watcher body, the gateway's or the sidecar's (whose jobName may have been left out). */
export function watcherRequest(b: SidecarWatcherCreateJson): WatcherRequest {
  return {
    namespace: b.namespace,
    jobName: b.jobName,
    cronJobName: b.cronJobName,
    timeoutSeconds: b.timeoutSeconds,
    notifyOn: b.notifyOn,
    // The schema has checked each names its webhook one way only.
    triggers: b.jobDoneTriggerWebhooks?.map((t) => ({
      ...(t.webhookId !== undefined && { webhookId: t.webhookId }),
      ...(t.webhookName !== undefined && { webhookName: t.webhookName }),
      ...(t.clusterWebhookName !== undefined && { clusterWebhookName: t.clusterWebhookName }),
      timeoutSeconds: t.timeoutSeconds,
    })),
  };
}

/** A list's query as the contract's filter; the schema has checked status is one of them. */
export function watcherFilter(q: {
  namespace?: string;
  jobName?: string;
  status?: string;
}): WatcherFilter {
  return {
    namespace: q.namespace,
    jobName: q.jobName,
    status: q.status as WatcherStatus | undefined,
  };
}

function triggerJson(t: Trigger): WatcherJson["jobDoneTriggerWebhooks"][number] {
  return {
    id: t.id,
    webhookId: t.webhookId,
    timeoutSeconds: t.timeoutSeconds,
    status: t.status,
    calledAt: t.calledAt?.toISOString() ?? null,
    attempts: t.attempts,
    lastError: t.lastError,
  };
}

export function watcherJson(w: Watcher): WatcherJson {
  return {
    id: w.id,
    namespace: w.namespace,
    jobName: w.jobName,
    cronJobName: w.cronJobName,
    timeoutSeconds: w.timeoutSeconds,
    status: w.status,
    reason: w.reason,
    message: w.message,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    jobUid: w.jobUid,
    jobOutcome: w.jobOutcome ?? null,
    notifyOn: w.notifyOn,
    parentId: w.parentId,
    jobDoneTriggerWebhooks: w.triggers.map(triggerJson),
  };
}

/** An attempt of the log; what it does not have (a status, an error, a body) is left out. */
export function deliveryAttemptJson(a: DeliveryAttempt): DeliveryAttemptJson {
  return {
    id: a.id,
    deliveryId: a.deliveryId,
    triggerId: a.triggerId,
    webhookId: a.webhookId,
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    host: a.host,
    ...(a.statusCode !== undefined && { statusCode: a.statusCode }),
    ...(a.errorClass !== undefined && { errorClass: a.errorClass }),
    ...(a.error !== "" && { error: a.error }),
    ...(a.responseBody !== "" && { responseBody: a.responseBody }),
    ...(Object.keys(a.responseHeaders).length > 0 && { responseHeaders: { ...a.responseHeaders } }),
    outcome: a.outcome,
    ...(a.nextAttemptAt && { nextAttemptAt: a.nextAttemptAt.toISOString() }),
    redelivery: a.redelivery,
  };
}
