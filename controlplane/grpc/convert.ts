import { enumCodec } from "../../proto/codec/enumCodec.js";
import {
  JobOutcome,
  TriggerStatus as ProtoTriggerStatus,
  WatcherStatus as ProtoWatcherStatus,
  type JobDoneWatcher,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import type { Webhook as ProtoWebhook } from "../../proto/gen/jobhooks/v1/webhooks.js";
import { ValidationError } from "../watchers/errors.js";
import type { Outcome, Watcher, WatcherStatus, Webhook } from "../watchers/model.js";

// The domain's names are the proto enums' keys: PENDING is WATCHER_STATUS_PENDING.
const watcherStatus = enumCodec(ProtoWatcherStatus);
const triggerStatus = enumCodec(ProtoTriggerStatus);
const outcome = enumCodec(JobOutcome);

function required<V>(v: V | undefined, what: string): V {
  if (v === undefined) throw new Error(`no proto value for ${what}`);
  return v;
}

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
    status: required(watcherStatus.value(w.status), w.status),
    reason: w.reason,
    message: w.message,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    jobUid: w.jobUid,
    jobOutcome: w.jobOutcome
      ? required(outcome.value(w.jobOutcome), w.jobOutcome)
      : JobOutcome.UNSPECIFIED,
    notifyOn: w.notifyOn.map((o) => required(outcome.value(o), o)),
    parentId: w.parentId,
    triggers: w.triggers.map((t) => ({
      id: t.id,
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
      status: required(triggerStatus.value(t.status), t.status),
      calledAt: t.calledAt,
      attempts: t.attempts,
      lastError: t.lastError,
    })),
  };
}

/** notify_on from a request; UNSPECIFIED and unknown numbers are refused. */
export function fromProtoOutcomes(values: JobOutcome[]): Outcome[] {
  return values.map((v, i) => {
    const name = outcome.name(v);
    if (name === undefined) {
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
  const name = watcherStatus.name(v);
  if (name === undefined) {
    throw new ValidationError([{ field: "status", description: "is not a watcher status" }]);
  }
  return name as WatcherStatus;
}
