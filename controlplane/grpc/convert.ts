import {
  JobOutcome,
  TriggerStatus as ProtoTriggerStatus,
  WatcherStatus as ProtoWatcherStatus,
  type JobDoneWatcher,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import type { Webhook as ProtoWebhook } from "../../proto/gen/jobhooks/v1/webhooks.js";
import { ValidationError } from "../watchers/errors.js";
import { Outcome, WatcherStatus, type Watcher, type Webhook } from "../watchers/model.js";

// Proto enum values carry their type as a prefix (WATCHER_STATUS_PENDING); the domain's do not.

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
    status: `WATCHER_STATUS_${w.status}` as ProtoWatcherStatus,
    reason: w.reason,
    message: w.message,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    jobUid: w.jobUid,
    jobOutcome: w.jobOutcome ? toProtoOutcome(w.jobOutcome) : JobOutcome.UNSPECIFIED,
    notifyOn: w.notifyOn.map(toProtoOutcome),
    parentId: w.parentId,
    triggers: w.triggers.map((t) => ({
      id: t.id,
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
      status: `TRIGGER_STATUS_${t.status}` as ProtoTriggerStatus,
      calledAt: t.calledAt,
      attempts: t.attempts,
      lastError: t.lastError,
    })),
  };
}

function toProtoOutcome(o: Outcome): JobOutcome {
  return `JOB_OUTCOME_${o}` as JobOutcome;
}

/** notify_on from a request; UNSPECIFIED and unknown numbers are refused. */
export function fromProtoOutcomes(values: JobOutcome[]): Outcome[] {
  return values.map((v, i) => {
    const name = v.replace(/^JOB_OUTCOME_/, "");
    if (!(name in Outcome)) {
      throw new ValidationError([
        { field: `notify_on[${i}]`, description: "must be SUCCEEDED, FAILED or DELETED" },
      ]);
    }
    return name as Outcome;
  });
}

/** A status filter; UNSPECIFIED means none. */
export function fromProtoWatcherStatus(v: ProtoWatcherStatus): WatcherStatus | undefined {
  if (v === ProtoWatcherStatus.UNSPECIFIED) return undefined;
  const name = v.replace(/^WATCHER_STATUS_/, "");
  if (!(name in WatcherStatus)) {
    throw new ValidationError([{ field: "status", description: "is not a watcher status" }]);
  }
  return name as WatcherStatus;
}
