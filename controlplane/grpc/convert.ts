import {
  JobOutcome,
  TriggerStatus as ProtoTriggerStatus,
  WatcherStatus as ProtoWatcherStatus,
  type JobDoneWatcher,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import type { Webhook as ProtoWebhook } from "../../proto/gen/jobhooks/v1/webhooks.js";
import { ValidationError } from "../watchers/errors.js";
import type { Outcome, TriggerStatus, Watcher, WatcherStatus, Webhook } from "../watchers/model.js";

// Proto enum values carry their type as a prefix (WATCHER_STATUS_PENDING); the domain's do not.
const WATCHER_STATUS: Record<WatcherStatus, ProtoWatcherStatus> = {
  PENDING: ProtoWatcherStatus.PENDING,
  PROCESSING: ProtoWatcherStatus.PROCESSING,
  COMPLETED: ProtoWatcherStatus.COMPLETED,
  PARTIALLY_COMPLETED: ProtoWatcherStatus.PARTIALLY_COMPLETED,
  FAILED: ProtoWatcherStatus.FAILED,
  CANCELLED: ProtoWatcherStatus.CANCELLED,
  TIMEOUT: ProtoWatcherStatus.TIMEOUT,
};
const TRIGGER_STATUS: Record<TriggerStatus, ProtoTriggerStatus> = {
  NOT_CALLED: ProtoTriggerStatus.NOT_CALLED,
  CALLED: ProtoTriggerStatus.CALLED,
  FAILED: ProtoTriggerStatus.FAILED,
  TIMEOUT: ProtoTriggerStatus.TIMEOUT,
  CANCELLED: ProtoTriggerStatus.CANCELLED,
};
const OUTCOME: Record<Outcome, JobOutcome> = {
  SUCCEEDED: JobOutcome.SUCCEEDED,
  FAILED: JobOutcome.FAILED,
  DELETED: JobOutcome.DELETED,
};
const FROM_OUTCOME = new Map(Object.entries(OUTCOME).map(([k, v]) => [v, k as Outcome]));
const FROM_WATCHER_STATUS = new Map(
  Object.entries(WATCHER_STATUS).map(([k, v]) => [v, k as WatcherStatus]),
);

export function toProtoWebhook(w: Webhook): ProtoWebhook {
  return {
    id: w.id,
    url: w.url,
    requestBody: w.requestBody,
    description: w.description,
    createdAt: w.createdAt,
    signed: w.secret !== undefined,
  };
}

export function toProtoWatcher(w: Watcher): JobDoneWatcher {
  return {
    id: w.id,
    namespace: w.namespace,
    jobName: w.jobName,
    cronJobName: w.cronJobName,
    timeoutSeconds: w.timeoutSeconds,
    status: WATCHER_STATUS[w.status],
    reason: w.reason,
    message: w.message,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    jobUid: w.jobUid,
    jobOutcome: w.jobOutcome ? OUTCOME[w.jobOutcome] : JobOutcome.UNSPECIFIED,
    notifyOn: w.notifyOn.map((o) => OUTCOME[o]),
    parentId: w.parentId,
    triggers: w.triggers.map((t) => ({
      id: t.id,
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
      status: TRIGGER_STATUS[t.status],
      calledAt: t.calledAt,
      attempts: t.attempts,
      lastError: t.lastError,
    })),
  };
}

/** notify_on from a request; UNSPECIFIED and unknown numbers are refused. */
export function fromProtoOutcomes(values: JobOutcome[]): Outcome[] {
  return values.map((v, i) => {
    const outcome = FROM_OUTCOME.get(v);
    if (outcome === undefined) {
      throw new ValidationError([
        { field: `notify_on[${i}]`, description: "must be SUCCEEDED, FAILED or DELETED" },
      ]);
    }
    return outcome;
  });
}

/** A status filter; UNSPECIFIED means none. */
export function fromProtoWatcherStatus(v: ProtoWatcherStatus): WatcherStatus | undefined {
  if (v === ProtoWatcherStatus.UNSPECIFIED) return undefined;
  const status = FROM_WATCHER_STATUS.get(v);
  if (status === undefined) {
    throw new ValidationError([{ field: "status", description: "is not a watcher status" }]);
  }
  return status;
}
