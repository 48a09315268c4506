import { ValidationError } from "../../contract/errors.js";
import type {
  Outcome,
  Page,
  TriggerStatus as DomainTriggerStatus,
  Watcher,
  WatcherFilter,
  WatcherRequest,
  WatcherStatus as DomainWatcherStatus,
} from "../../contract/model.js";
import {
  JobOutcome,
  TriggerStatus,
  WatcherStatus,
  type CreateWatcherRequest,
  type JobDoneWatcher,
  type ListWatchersRequest,
  type ListWatchersResponse,
} from "../gen/jobhooks/v1/watchers.js";
import { enumCodec } from "./enumCodec.js";

/** Watchers between the contract's shapes and their protobuf messages. */

// The contract's names are the proto enums' keys: PENDING is WATCHER_STATUS_PENDING.
const watcherStatus = enumCodec(WatcherStatus);
const triggerStatus = enumCodec(TriggerStatus);
const outcome = enumCodec(JobOutcome);

function required<V>(v: V | undefined, what: string): V {
  if (v === undefined) throw new Error(`no proto value for ${what}`);
  return v;
}

export function watcherToProto(w: Watcher): JobDoneWatcher {
  return {
    id: w.id,
    namespace: w.namespace,
    jobName: w.jobName,
    cronJobName: w.cronJobName,
    parentId: w.parentId,
    timeoutSeconds: w.timeoutSeconds,
    reason: w.reason,
    message: w.message,
    jobUid: w.jobUid,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    status: required(watcherStatus.value(w.status), w.status),
    jobOutcome: w.jobOutcome
      ? required(outcome.value(w.jobOutcome), w.jobOutcome)
      : JobOutcome.UNSPECIFIED,
    notifyOn: w.notifyOn.map((o) => required(outcome.value(o), o)),
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

export function watcherFromProto(w: JobDoneWatcher): Watcher {
  return {
    id: w.id,
    namespace: w.namespace,
    jobName: w.jobName,
    cronJobName: w.cronJobName,
    parentId: w.parentId,
    timeoutSeconds: w.timeoutSeconds,
    notifyOn: w.notifyOn.map((o) => outcome.name(o) as Outcome),
    status: watcherStatus.name(w.status) as DomainWatcherStatus,
    reason: w.reason,
    message: w.message,
    jobUid: w.jobUid,
    jobOutcome: outcome.name(w.jobOutcome) as Outcome | undefined,
    createdAt: w.createdAt ?? new Date(0),
    updatedAt: w.updatedAt ?? new Date(0),
    triggers: w.triggers.map((t) => ({
      id: t.id,
      watcherId: w.id,
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
      status: triggerStatus.name(t.status) as DomainTriggerStatus,
      calledAt: t.calledAt,
      attempts: t.attempts,
      lastError: t.lastError,
    })),
  };
}

export function watcherRequestToProto(
  r: WatcherRequest,
  idempotencyKey: string | undefined,
): CreateWatcherRequest {
  return {
    namespace: r.namespace ?? "",
    jobName: r.jobName ?? "",
    cronJobName: r.cronJobName ?? "",
    timeoutSeconds: r.timeoutSeconds ?? 0,
    notifyOn: (r.notifyOn ?? []).map((o) => outcome.value(o) ?? JobOutcome.UNSPECIFIED),
    triggers: (r.triggers ?? []).map((t) => ({
      webhookId: t.webhookId ?? "",
      webhookName: t.webhookName ?? "",
      clusterWebhookName: t.clusterWebhookName ?? "",
      timeoutSeconds: t.timeoutSeconds ?? 0,
    })),
    idempotencyKey: idempotencyKey ?? "",
  };
}

/** A request off the wire: empty strings and zeros are absent; UNSPECIFIED outcomes refused. */
export function watcherRequestFromProto(r: CreateWatcherRequest): {
  request: WatcherRequest;
  idempotencyKey: string | undefined;
} {
  const notifyOn = r.notifyOn.map((v, i) => {
    const name = outcome.name(v);
    if (name === undefined) {
      throw new ValidationError([
        { field: `notifyOn[${i}]`, description: "must be SUCCEEDED, FAILED or DELETED" },
      ]);
    }
    return name as Outcome;
  });
  return {
    request: {
      namespace: r.namespace || undefined,
      jobName: r.jobName || undefined,
      cronJobName: r.cronJobName || undefined,
      timeoutSeconds: r.timeoutSeconds,
      notifyOn: notifyOn.length > 0 ? notifyOn : undefined,
      // Of a trigger's three names, those given: the service refuses more than one.
      triggers: r.triggers.map((t) => ({
        ...(t.webhookId !== "" && { webhookId: t.webhookId }),
        ...(t.webhookName !== "" && { webhookName: t.webhookName }),
        ...(t.clusterWebhookName !== "" && { clusterWebhookName: t.clusterWebhookName }),
        timeoutSeconds: t.timeoutSeconds,
      })),
    },
    idempotencyKey: r.idempotencyKey === "" ? undefined : r.idempotencyKey,
  };
}

export function watcherFilterToProto(
  f: WatcherFilter,
): Pick<ListWatchersRequest, "namespace" | "jobName" | "status"> {
  return {
    namespace: f.namespace ?? "",
    jobName: f.jobName ?? "",
    status: f.status
      ? required(watcherStatus.value(f.status), f.status)
      : WatcherStatus.UNSPECIFIED,
  };
}

/** A filter off the wire; UNSPECIFIED status means none, an unknown one is refused. */
export function watcherFilterFromProto(r: ListWatchersRequest): WatcherFilter {
  let status: DomainWatcherStatus | undefined;
  if (r.status !== WatcherStatus.UNSPECIFIED) {
    const name = watcherStatus.name(r.status);
    if (name === undefined) {
      throw new ValidationError([{ field: "status", description: "is not a watcher status" }]);
    }
    status = name as DomainWatcherStatus;
  }
  return { namespace: r.namespace || undefined, jobName: r.jobName || undefined, status };
}

export function watcherPageToProto(p: Page<Watcher>): ListWatchersResponse {
  return { watchers: p.items.map(watcherToProto), nextPageToken: p.nextPageToken };
}

export function watcherPageFromProto(r: ListWatchersResponse): Page<Watcher> {
  return { items: r.watchers.map(watcherFromProto), nextPageToken: r.nextPageToken };
}
