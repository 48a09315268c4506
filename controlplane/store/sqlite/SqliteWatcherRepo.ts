import { PARKED_MS, Reason, TriggerStatus, type Watcher } from "../../watchers/model.js";
import {
  IdempotencyConflictError,
  UnknownWebhookError,
  type AttemptChanges,
  type AttemptLogEntry,
  type AttemptRecorded,
  type JobRef,
  type NewWatcher,
  type WatcherChange,
  type WatcherChanges,
  type WatcherRepo,
} from "../WatcherRepo.js";
import { OPEN, SqliteWatcherReads } from "./SqliteWatcherReads.js";
import type { Synchronous } from "../guarded.js";
import { watcherValues } from "../rows.js";
import { insertOutbox, KEEP_MESSAGE } from "./outbox.js";
import { ATTEMPT_COLUMNS, attemptValues } from "../attemptRows.js";

// An attempt that disables its webhook: a failure, not disabled yet, failing long enough.
const DISABLES = `NOT @ok AND disabled_at IS NULL AND @after > 0
  AND COALESCE(failing_since, @calledAt) <= @at - @after`;

// A change that finds its watcher in another state than it was decided for: roll back.
class StaleChange extends Error {}

/** WatcherRepo on SQLite: each call is one transaction that writes what it is told. */
export class SqliteWatcherRepo extends SqliteWatcherReads implements Synchronous<WatcherRepo> {
  create(n: NewWatcher): { watcher: Watcher; created: boolean } {
    return this.transaction(() => {
      const key = n.idempotencyKey;
      if (key !== undefined) {
        const prior = this.q(
          `SELECT id, request_hash FROM watchers WHERE namespace = ? AND idempotency_key = ?`,
        ).get(n.watcher.namespace, key) as { id: string; request_hash: string | null } | undefined;
        if (prior) {
          if (prior.request_hash !== (n.requestHash ?? null)) {
            throw new IdempotencyConflictError(
              `idempotency key "${key}" was used for a different request (watcher ${prior.id})`,
            );
          }
          return { watcher: this.mustGet(prior.id), created: false };
        }
      }
      this.checkWebhooks(n);
      this.insert(n);
      if (n.askBind) {
        const w = n.watcher;
        this.q(`INSERT INTO bind_requests (watcher_id, namespace, job_name) VALUES (?, ?, ?)`).run(
          w.id,
          w.namespace,
          w.jobName,
        );
      }
      return { watcher: this.mustGet(n.watcher.id), created: true };
    });
  }

  bindRequestsDone(watcherIds: readonly string[]): void {
    const done = this.q(`DELETE FROM bind_requests WHERE watcher_id = ?`);
    this.transaction(() => {
      for (const id of watcherIds) done.run(id);
    });
  }

  apply(c: WatcherChanges): boolean {
    try {
      this.transaction(() => {
        for (const n of c.spawn) this.spawn(n);
        for (const change of c.changes) this.change(change, c.at.getTime());
        for (const job of c.labels) this.queueLabel(job, c.at);
      });
      return true;
    } catch (err) {
      if (err instanceof StaleChange) return false;
      throw err;
    }
  }

  recordAttempt(c: AttemptChanges): AttemptRecorded {
    return this.transaction((): AttemptRecorded => {
      const r = c.record;
      if (!c.retryAt) {
        const delivered = r.status === TriggerStatus.CALLED ? 1 : 0;
        this.q(KEEP_MESSAGE).run(c.at.getTime(), delivered, c.deliveryId);
      }
      const gone =
        this.q(
          c.retryAt
            ? `UPDATE deliveries SET next_attempt_at = ?, attempts = ? WHERE id = ?`
            : `DELETE FROM deliveries WHERE id = ?`,
        ).run(...(c.retryAt ? [c.retryAt.getTime(), r.attempts] : []), c.deliveryId).changes === 0;
      // Its watcher ended meanwhile and took the row with it.
      if (gone) return { recorded: false, webhookDisabled: false };
      this.recordTrigger(c);
      if (c.watcherStatus !== undefined) {
        this.q(
          `UPDATE watchers SET status = ?, updated_at = ? WHERE id = ? AND status = 'PROCESSING'`,
        ).run(c.watcherStatus, c.at.getTime(), c.watcherId);
      } else if (!c.retryAt) {
        this.q(`UPDATE watchers SET updated_at = ? WHERE id = ?`).run(c.at.getTime(), c.watcherId);
      }
      if (c.label) this.queueLabel(c.label, c.at);
      if (c.log) this.logAttempt(c.log);
      return { recorded: true, webhookDisabled: this.recordHealth(c) };
    });
  }

  recordAttempts(cs: readonly AttemptChanges[]): AttemptRecorded[] {
    return this.transaction(() => cs.map((c) => this.recordAttempt(c)));
  }

  // A first delivery's attempt sets its NOT_CALLED trigger's record. A redelivery's counts on
  // its trigger's attempts; a final one sets its status, whatever it was.
  private recordTrigger(c: AttemptChanges): void {
    const r = c.record;
    if (!c.redelivery) {
      this.q(
        `UPDATE triggers SET status = ?, attempts = ?, last_error = ?, called_at = ?
         WHERE id = ? AND status = 'NOT_CALLED'`,
      ).run(r.status, r.attempts, r.lastError, r.calledAt.getTime(), c.triggerId);
      return;
    }
    this.q(
      `UPDATE triggers SET status = CASE WHEN ? THEN ? ELSE status END, attempts = attempts + 1,
         last_error = ?, called_at = ?
       WHERE id = ?`,
    ).run(c.retryAt ? 0 : 1, r.status, r.lastError, r.calledAt.getTime(), c.triggerId);
  }

  private logAttempt(e: AttemptLogEntry): void {
    this.q(
      `INSERT INTO attempts (${ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...attemptValues(e));
  }

  // The webhook's health after this attempt, as AttemptChanges.health says (the same SQL as
  // PostgreSQL's RECORD_ATTEMPT); true when it disabled the webhook. A retry of a webhook
  // disabled already (one in flight as it was disabled) is parked with the rest.
  private recordHealth(c: AttemptChanges): boolean {
    if (!c.health) return false;
    const id = c.health.webhookId;
    const before = this.q(`SELECT disabled_at FROM webhooks WHERE id = ?`).get(id) as
      { disabled_at: number | null } | undefined;
    if (!before) return false;
    // Written only when it changes: most attempts (a success of a healthy webhook, a failure of
    // one failing already) leave the row as it is.
    const after = this.q(
      `UPDATE webhooks SET
         failing_since = CASE WHEN @ok THEN NULL ELSE COALESCE(failing_since, @calledAt) END,
         disabled_at = CASE WHEN ${DISABLES} THEN @at ELSE disabled_at END
       WHERE id = @id AND (@ok = (failing_since IS NOT NULL) OR ${DISABLES})
       RETURNING disabled_at`,
    ).get({
      id,
      ok: c.record.status === TriggerStatus.CALLED ? 1 : 0,
      calledAt: c.record.calledAt.getTime(),
      at: c.at.getTime(),
      after: c.health.disableAfterMs,
    }) as { disabled_at: number | null } | undefined;
    const disabled = before.disabled_at === null && after?.disabled_at != null;
    const stillDisabled = before.disabled_at !== null && c.retryAt !== undefined;
    if (disabled || stillDisabled) this.park(disabled ? { webhookId: id } : { id: c.deliveryId });
    return disabled;
  }

  // Parks the outbox rows of a webhook just disabled, or one row (a retry of a disabled one).
  private park(rows: { webhookId: string } | { id: string }): void {
    const [column, value] = "webhookId" in rows ? ["webhook_id", rows.webhookId] : ["id", rows.id];
    this.q(`UPDATE deliveries SET next_attempt_at = ? WHERE ${column} = ?`).run(PARKED_MS, value);
  }

  private change(c: WatcherChange, at: number): void {
    let changed: number;
    if (c.kind === "bind") {
      changed = this.q(
        `UPDATE watchers SET job_uid = ?, bind_by = NULL, updated_at = ?
         WHERE id = ? AND job_uid = '' AND status = 'PENDING'`,
      ).run(c.jobUid, at, c.id).changes;
    } else if (c.kind === "notify") {
      changed = this.q(
        `UPDATE watchers SET status = ?, job_outcome = ?, reason = ?, message = '',
           deadline_at = NULL, bind_by = NULL, updated_at = ?
         WHERE id = ? AND status = 'PENDING'`,
      ).run(c.status, c.outcome, Reason.JOB_FINISHED, at, c.id).changes;
      if (changed > 0) insertOutbox(this.q, c.deliveries);
    } else {
      changed = this.end(c.id, c.ending, at);
    }
    if (changed === 0) throw new StaleChange(`watcher ${c.id} changed meanwhile`);
  }

  private end(
    id: string,
    e: Extract<WatcherChange, { kind: "end" }>["ending"],
    at: number,
  ): number {
    const changed = this.q(
      `UPDATE watchers SET status = ?, reason = ?, message = ?, job_outcome = COALESCE(?, job_outcome),
         deadline_at = NULL, bind_by = NULL, updated_at = ?
       WHERE id = ? AND status IN ${OPEN}`,
    ).run(e.status, e.reason, e.message, e.outcome ?? null, at, id).changes;
    if (changed === 0) return 0;
    this.q(`UPDATE triggers SET status = ? WHERE watcher_id = ? AND status = 'NOT_CALLED'`).run(
      e.triggerStatus,
      id,
    );
    this.q(`DELETE FROM deliveries WHERE watcher_id = ?`).run(id);
    return changed;
  }

  private checkWebhooks(n: NewWatcher): void {
    const ids = [...new Set(n.watcher.triggers.map((t) => t.webhookId))];
    const found = new Set(
      (
        this.q(
          `SELECT id FROM webhooks WHERE deleted_at IS NULL
             AND id IN (SELECT value FROM json_each(?))`,
        ).all(JSON.stringify(ids)) as { id: string }[]
      ).map((r) => r.id),
    );
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new UnknownWebhookError(missing);
  }

  // A CronJob watcher's watcher for a Job that it has one for already: stale.
  private spawn(n: NewWatcher): void {
    const w = n.watcher;
    const twin =
      w.parentId !== "" &&
      this.q(`SELECT 1 FROM watchers WHERE parent_id = ? AND job_uid = ? AND parent_id != ''`).get(
        w.parentId,
        w.jobUid,
      ) !== undefined;
    if (twin) throw new StaleChange(`watcher ${w.parentId} has a watcher for ${w.jobUid}`);
    this.insert(n);
  }

  private insert(n: NewWatcher): void {
    const w = n.watcher;
    this.q(
      `INSERT INTO watchers (id, namespace, job_name, cron_job_name, parent_id, timeout_seconds,
         notify_on, status, reason, message, job_uid, created_at, updated_at, deadline_at, bind_by,
         idempotency_key, request_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...watcherValues(n));
    const insert = this.q(
      `INSERT INTO triggers (id, watcher_id, position, webhook_id, timeout_seconds, status)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    w.triggers.forEach((t, i) =>
      insert.run(t.id, w.id, i, t.webhookId, t.timeoutSeconds, t.status),
    );
  }

  private queueLabel(job: JobRef, at: Date): void {
    this.q(
      `INSERT OR IGNORE INTO job_labels (job_uid, namespace, name, due_at) VALUES (?, ?, ?, ?)`,
    ).run(job.uid, job.namespace, job.name, at.getTime());
  }
}
