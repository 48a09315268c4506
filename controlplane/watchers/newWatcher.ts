import { randomUUID } from "node:crypto";
import type { NewWatcher } from "../store/WatcherRepo.js";
import { TriggerStatus, WatcherStatus, type Watcher, type WatcherSpec } from "./model.js";

export interface WatcherOrigin {
  now: Date;
  /** Ids for the watcher and its triggers; tests pass a counter. Default randomUUID. */
  newId?: () => string;
  /** An unbound watcher ends JobNotFound at this time. */
  bindBy?: Date;
  /** For a watcher made by a CronJob watcher for one of its Jobs. */
  parentId?: string;
  jobUid?: string;
  idempotencyKey?: string;
  requestHash?: string;
}

/** A PENDING watcher for `spec`, as the store inserts it, with its timeout's deadline. */
export function newWatcher(spec: WatcherSpec, o: WatcherOrigin): NewWatcher {
  const newId = o.newId ?? randomUUID;
  const id = newId();
  const watcher: Watcher = {
    id,
    namespace: spec.namespace,
    jobName: spec.jobName,
    cronJobName: spec.cronJobName,
    parentId: o.parentId ?? "",
    timeoutSeconds: spec.timeoutSeconds,
    notifyOn: [...spec.notifyOn],
    status: WatcherStatus.PENDING,
    reason: "",
    message: "",
    jobUid: o.jobUid ?? "",
    jobOutcome: undefined,
    createdAt: o.now,
    updatedAt: o.now,
    triggers: spec.triggers.map((t) => ({
      id: newId(),
      watcherId: id,
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
      status: TriggerStatus.NOT_CALLED,
      calledAt: undefined,
      attempts: 0,
      lastError: "",
    })),
  };
  const deadline = spec.timeoutSeconds > 0 ? o.now.getTime() + spec.timeoutSeconds * 1000 : 0;
  return {
    watcher,
    deadlineAt: deadline > 0 ? new Date(deadline) : undefined,
    bindBy: o.bindBy,
    ...(o.idempotencyKey !== undefined && { idempotencyKey: o.idempotencyKey }),
    ...(o.requestHash !== undefined && { requestHash: o.requestHash }),
  };
}
