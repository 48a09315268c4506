import { enumCodec } from "../proto/codec/enumCodec.js";
import {
  JobOutcome,
  TriggerStatus,
  WatcherStatus,
  type CreateWatcherRequest,
  type JobDoneWatcher,
} from "../proto/gen/jobhooks/v1/watchers.js";
import type { CreateWebhookRequest, Webhook } from "../proto/gen/jobhooks/v1/webhooks.js";

// REST names are the proto enums' keys: WATCHER_STATUS_PENDING is PENDING.
const watcherStatus = enumCodec(WatcherStatus);
const triggerStatus = enumCodec(TriggerStatus);
const outcome = enumCodec(JobOutcome);

export interface WebhookJson {
  id: string;
  url: string;
  requestBody: string;
  description: string;
  createdAt: string;
  signed: boolean;
}

export function webhookJson(w: Webhook): WebhookJson {
  return {
    id: w.id,
    url: w.url,
    requestBody: w.requestBody ?? "",
    description: w.description,
    createdAt: (w.createdAt ?? new Date(0)).toISOString(),
    signed: w.signed,
  };
}

export interface WebhookCreateJson {
  url: string;
  requestBody?: string;
  description?: string;
  secret?: string;
}

export function createWebhookRequest(b: WebhookCreateJson): CreateWebhookRequest {
  return {
    url: b.url,
    // An empty requestBody carries nothing: it means the JSON event, as an absent one does.
    requestBody: b.requestBody === "" ? undefined : b.requestBody,
    description: b.description ?? "",
    secret: b.secret,
  };
}

export interface WatcherCreateJson {
  jobName?: string;
  cronJobName?: string;
  namespace?: string;
  timeoutSeconds?: number;
  notifyOn?: string[];
  jobDoneTriggerWebhooks?: { webhookId: string; timeoutSeconds?: number }[];
}

export function createWatcherRequest(
  b: WatcherCreateJson,
  idempotencyKey: string,
): CreateWatcherRequest {
  return {
    namespace: b.namespace ?? "",
    jobName: b.jobName ?? "",
    cronJobName: b.cronJobName ?? "",
    timeoutSeconds: b.timeoutSeconds ?? 0,
    // The request schema allows only known names; an unknown one would be refused as UNSPECIFIED.
    notifyOn: (b.notifyOn ?? []).map((o) => outcome.value(o) ?? JobOutcome.UNSPECIFIED),
    triggers: (b.jobDoneTriggerWebhooks ?? []).map((t) => ({
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds ?? 0,
    })),
    idempotencyKey,
  };
}

export function watcherStatusFilter(status: string | undefined): WatcherStatus {
  return (
    (status === undefined ? undefined : watcherStatus.value(status)) ?? WatcherStatus.UNSPECIFIED
  );
}

export function watcherJson(w: JobDoneWatcher): Record<string, unknown> {
  return {
    id: w.id,
    namespace: w.namespace,
    jobName: w.jobName,
    cronJobName: w.cronJobName,
    timeoutSeconds: w.timeoutSeconds,
    status: watcherStatus.name(w.status),
    reason: w.reason,
    message: w.message,
    createdAt: (w.createdAt ?? new Date(0)).toISOString(),
    updatedAt: (w.updatedAt ?? new Date(0)).toISOString(),
    jobUid: w.jobUid,
    jobOutcome: outcome.name(w.jobOutcome) ?? null,
    notifyOn: w.notifyOn.map((o) => outcome.name(o)),
    parentId: w.parentId,
    jobDoneTriggerWebhooks: w.triggers.map((t) => ({
      id: t.id,
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
      status: triggerStatus.name(t.status),
      calledAt: t.calledAt?.toISOString() ?? null,
      attempts: t.attempts,
      lastError: t.lastError,
    })),
  };
}
