import { randomUUID } from "node:crypto";
import {
  Outcome,
  Reason,
  TriggerStatus,
  WatcherStatus,
  type Delivery,
  type Watcher,
  type WatcherSpec,
} from "../watchers/model.js";
import { settledStatus } from "../watchers/settle.js";
import { OPEN, WatcherReads } from "./WatcherReads.js";

export type { WatcherFilter } from "./WatcherReads.js";

export class IdempotencyConflictError extends Error {}

export interface NewWatcher {
  spec: WatcherSpec;
  now: Date;
  idempotencyKey?: string;
  /** Fingerprint of the request, to tell a repeat from a different request with the same key. */
  requestHash?: string;
  parentId?: string;
  jobUid?: string;
  /** An unbound watcher ends JobNotFound at this time. */
  bindBy?: Date;
}

export interface Ending {
  status: WatcherStatus;
  reason: string;
  message: string;
  outcome?: Outcome;
  /** What its NOT_CALLED triggers become. */
  triggerStatus: TriggerStatus;
}

export interface AttemptRecord {
  status: TriggerStatus;
  attempts: number;
  lastError: string;
  calledAt: Date;
}

/** Watchers, their triggers and their outbox rows: one aggregate, changed in transactions. */
export class WatcherRepo extends WatcherReads {
  /** Creates a watcher, or returns the one an earlier request with the same key created. */
  create(n: NewWatcher): { watcher: Watcher; created: boolean } {
    return this.transaction(() => {
      const key = n.idempotencyKey;
      if (key !== undefined) {
        const prior = this.q(
          `SELECT id, request_hash FROM watchers WHERE namespace = ? AND idempotency_key = ?`,
        ).get(n.spec.namespace, key) as { id: string; request_hash: string | null } | undefined;
        if (prior) {
          if (prior.request_hash !== (n.requestHash ?? null)) {
            throw new IdempotencyConflictError(
              `idempotency key "${key}" was used for a different request (watcher ${prior.id})`,
            );
          }
          return { watcher: this.mustGet(prior.id), created: false };
        }
      }
      const id = this.insert(n);
      return { watcher: this.mustGet(id), created: true };
    });
  }

  /** A watcher for one Job of a CronJob watcher; at most one per parent and Job. */
  createChild(
    parent: Watcher,
    job: { uid: string; name: string; namespace: string },
    now: Date,
  ): Watcher {
    return this.transaction(() => {
      const prior = this.q(`SELECT id FROM watchers WHERE parent_id = ? AND job_uid = ?`).get(
        parent.id,
        job.uid,
      ) as { id: string } | undefined;
      if (prior) return this.mustGet(prior.id);
      const spec: WatcherSpec = {
        namespace: job.namespace,
        jobName: job.name,
        cronJobName: "",
        timeoutSeconds: 0,
        notifyOn: parent.notifyOn,
        triggers: parent.triggers.map((t) => ({
          webhookId: t.webhookId,
          timeoutSeconds: t.timeoutSeconds,
        })),
      };
      return this.mustGet(this.insert({ spec, now, parentId: parent.id, jobUid: job.uid }));
    });
  }

  bind(id: string, uid: string, now: Date): void {
    this.q(
      `UPDATE watchers SET job_uid = ?, bind_by = NULL, updated_at = ? WHERE id = ? AND job_uid = ''`,
    ).run(uid, now.getTime(), id);
  }

  /** The Job finished with an outcome the watcher notifies on: the outbox gets its calls. */
  startNotifying(id: string, outcome: Outcome, deliveries: Delivery[], now: Date): boolean {
    return this.transaction(() => {
      const status = deliveries.length > 0 ? WatcherStatus.PROCESSING : WatcherStatus.COMPLETED;
      const changed = this.q(
        `UPDATE watchers SET status = ?, job_outcome = ?, reason = ?, message = '',
           deadline_at = NULL, bind_by = NULL, updated_at = ?
         WHERE id = ? AND status = 'PENDING'`,
      ).run(status, outcome, Reason.JOB_FINISHED, now.getTime(), id).changes;
      if (changed === 0) return false;
      const insert = this.q(
        `INSERT INTO deliveries (id, trigger_id, watcher_id, url, destination, body, content_type,
           secret, deadline_at, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const d of deliveries) {
        insert.run(
          d.id,
          d.triggerId,
          id,
          d.url,
          d.destination,
          d.body,
          d.contentType,
          d.secret ?? null,
          d.deadlineAt.getTime(),
          d.nextAttemptAt.getTime(),
          d.createdAt.getTime(),
        );
      }
      if (status === WatcherStatus.COMPLETED) this.queueLabelIfDone(id, now);
      return true;
    });
  }

  /** Ends an open watcher for good; false when it had already ended. */
  end(id: string, ending: Ending, now: Date): boolean {
    return this.transaction(() => {
      const changed = this.q(
        `UPDATE watchers SET status = ?, reason = ?, message = ?, job_outcome = COALESCE(?, job_outcome),
           deadline_at = NULL, bind_by = NULL, updated_at = ?
         WHERE id = ? AND status IN ${OPEN}`,
      ).run(
        ending.status,
        ending.reason,
        ending.message,
        ending.outcome ?? null,
        now.getTime(),
        id,
      ).changes;
      if (changed === 0) return false;
      this.q(`UPDATE triggers SET status = ? WHERE watcher_id = ? AND status = 'NOT_CALLED'`).run(
        ending.triggerStatus,
        id,
      );
      this.q(`DELETE FROM deliveries WHERE watcher_id = ?`).run(id);
      if (ending.outcome !== Outcome.DELETED) this.queueLabelIfDone(id, now);
      return true;
    });
  }

  /**
   * Records the final result of a delivery and settles its watcher. Undefined when the delivery
   * is gone (its watcher ended meanwhile).
   */
  finishDelivery(deliveryId: string, result: AttemptRecord, now: Date): Watcher | undefined {
    return this.transaction(() => {
      const d = this.q(`SELECT trigger_id, watcher_id FROM deliveries WHERE id = ?`).get(
        deliveryId,
      ) as { trigger_id: string; watcher_id: string } | undefined;
      if (!d) return undefined;
      this.q(
        `UPDATE triggers SET status = ?, attempts = ?, last_error = ?, called_at = ?
         WHERE id = ? AND status = 'NOT_CALLED'`,
      ).run(
        result.status,
        result.attempts,
        result.lastError,
        result.calledAt.getTime(),
        d.trigger_id,
      );
      this.q(`DELETE FROM deliveries WHERE id = ?`).run(deliveryId);
      const statuses = (
        this.q(`SELECT status FROM triggers WHERE watcher_id = ?`).all(d.watcher_id) as {
          status: TriggerStatus;
        }[]
      ).map((r) => r.status);
      const status = settledStatus(statuses);
      if (status !== WatcherStatus.PROCESSING) {
        this.q(
          `UPDATE watchers SET status = ?, updated_at = ? WHERE id = ? AND status = 'PROCESSING'`,
        ).run(status, now.getTime(), d.watcher_id);
        this.queueLabelIfDone(d.watcher_id, now);
      } else {
        this.q(`UPDATE watchers SET updated_at = ? WHERE id = ?`).run(now.getTime(), d.watcher_id);
      }
      return this.get(d.watcher_id);
    });
  }

  /** A failed attempt that will be retried at nextAttemptAt. */
  recordRetry(deliveryId: string, nextAttemptAt: Date, result: AttemptRecord): void {
    this.transaction(() => {
      const d = this.q(`SELECT trigger_id FROM deliveries WHERE id = ?`).get(deliveryId) as
        { trigger_id: string } | undefined;
      if (!d) return;
      this.q(`UPDATE deliveries SET next_attempt_at = ?, attempts = ? WHERE id = ?`).run(
        nextAttemptAt.getTime(),
        result.attempts,
        deliveryId,
      );
      this.q(
        `UPDATE triggers SET attempts = ?, last_error = ?, called_at = ? WHERE id = ? AND status = 'NOT_CALLED'`,
      ).run(result.attempts, result.lastError, result.calledAt.getTime(), d.trigger_id);
    });
  }

  private insert(n: NewWatcher): string {
    const id = randomUUID();
    const now = n.now.getTime();
    const { spec } = n;
    this.q(
      `INSERT INTO watchers (id, namespace, job_name, cron_job_name, parent_id, timeout_seconds,
         notify_on, status, job_uid, created_at, updated_at, deadline_at, bind_by,
         idempotency_key, request_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      spec.namespace,
      spec.jobName,
      spec.cronJobName,
      n.parentId ?? "",
      spec.timeoutSeconds,
      spec.notifyOn.join(","),
      n.jobUid ?? "",
      now,
      now,
      spec.timeoutSeconds > 0 ? now + spec.timeoutSeconds * 1000 : null,
      n.bindBy?.getTime() ?? null,
      n.idempotencyKey ?? null,
      n.requestHash ?? null,
    );
    const insert = this.q(
      `INSERT INTO triggers (id, watcher_id, position, webhook_id, timeout_seconds, status)
       VALUES (?, ?, ?, ?, ?, 'NOT_CALLED')`,
    );
    spec.triggers.forEach((t, i) => insert.run(randomUUID(), id, i, t.webhookId, t.timeoutSeconds));
    return id;
  }

  // The Job gets its webhooks-called label once no watcher bound to it is open.
  private queueLabelIfDone(watcherId: string, now: Date): void {
    const w = this.q(`SELECT job_uid, namespace, job_name FROM watchers WHERE id = ?`).get(
      watcherId,
    ) as { job_uid: string; namespace: string; job_name: string } | undefined;
    if (!w?.job_uid) return;
    const open = this.q(
      `SELECT 1 FROM watchers WHERE job_uid = ? AND status IN ${OPEN} LIMIT 1`,
    ).get(w.job_uid);
    if (open) return;
    this.q(
      `INSERT OR IGNORE INTO job_labels (job_uid, namespace, name, due_at) VALUES (?, ?, ?, ?)`,
    ).run(w.job_uid, w.namespace, w.job_name, now.getTime());
  }
}
