import { Reason, type Watcher } from "../../watchers/model.js";
import {
  IdempotencyConflictError,
  UnknownWebhookError,
  type AttemptChanges,
  type AttemptRecorded,
  type JobRef,
  type NewWatcher,
  type WatcherChange,
  type WatcherChanges,
  type WatcherRepo,
} from "../WatcherRepo.js";
import type { Queryable } from "./Database.js";
import { OPEN, PostgresWatcherReads } from "./PostgresWatcherReads.js";
import {
  insertOutbox,
  NOTIFY,
  notifyValues,
  RECORD_ATTEMPT,
  recordAttemptValues,
} from "./watcherStatements.js";
import { watcherValues } from "../rows.js";

// A change that finds its watcher in another state than it was decided for: roll back.
class StaleChange extends Error {}

// A deadlock between two replicas' transactions, or a serialization failure: PostgreSQL rolled
// one back, which wrote nothing; deciding again is the answer, as for a stale change.
const RETRY_CODES = new Set(["40P01", "40001"]);

/**
 * WatcherRepo on PostgreSQL: each call is one transaction that writes what it is told. Changes
 * are conditional updates (READ COMMITTED re-reads a row another transaction changed before
 * updating it), so of two replicas applying the same decision one finds the watcher changed.
 */
export class PostgresWatcherRepo extends PostgresWatcherReads implements WatcherRepo {
  create(n: NewWatcher): Promise<{ watcher: Watcher; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const prior = await this.prior(tx, n);
      if (prior) return prior;
      await checkWebhooks(tx, n);
      // A concurrent create with the same key that committed first: answer with its watcher.
      if (!(await insert(tx, n, BY_KEY))) return (await this.prior(tx, n)) ?? unreadable(n);
      return { watcher: await this.mustGet(tx, n.watcher.id), created: true };
    });
  }

  async bindRequestsDone(watcherIds: readonly string[]): Promise<void> {
    await this.db.run(`DELETE FROM bind_requests WHERE watcher_id = ANY($1::text[])`, [watcherIds]);
  }

  async apply(c: WatcherChanges): Promise<boolean> {
    try {
      const [only, ...more] = c.changes;
      // The common case, a Job that finished: one statement instead of a transaction.
      if (c.spawn.length === 0 && more.length === 0 && only?.kind === "notify") {
        return await this.notify(only, c);
      }
      await this.db.transaction(async (tx) => {
        for (const n of c.spawn) await spawn(tx, n);
        for (const change of c.changes) await applyChange(tx, change, c.at.getTime());
        for (const job of c.labels) await queueLabel(tx, job, c.at);
      });
      return true;
    } catch (err) {
      if (err instanceof StaleChange || RETRY_CODES.has(codeOf(err))) return false;
      throw err;
    }
  }

  // A watcher notified, its outbox rows and its Job's label, only if it was still PENDING.
  private async notify(
    n: Extract<WatcherChange, { kind: "notify" }>,
    c: WatcherChanges,
  ): Promise<boolean> {
    const [row] = await this.db.rows<{ n: number }>(NOTIFY, notifyValues(n, c));
    return (row?.n ?? 0) > 0;
  }

  /**
   * One statement, so one round trip and atomic without BEGIN and COMMIT: every part is written
   * only if the delivery's row was still there to update or delete (its watcher may have ended
   * meanwhile and taken the row with it).
   */
  recordAttempt(c: AttemptChanges): Promise<AttemptRecorded> {
    return recordOn(this.db, c);
  }

  // One alone needs no BEGIN and COMMIT (recordAttempt is one statement).
  async recordAttempts(cs: readonly AttemptChanges[]): Promise<AttemptRecorded[]> {
    const [only] = cs;
    if (cs.length === 1 && only) return [await recordOn(this.db, only)];
    return this.db.transaction(async (tx) => {
      const recorded: AttemptRecorded[] = [];
      for (const c of cs) recorded.push(await recordOn(tx, c));
      return recorded;
    });
  }

  // The watcher an earlier request with the same idempotency key created, if any.
  private async prior(
    tx: Queryable,
    n: NewWatcher,
  ): Promise<{ watcher: Watcher; created: false } | undefined> {
    const key = n.idempotencyKey;
    if (key === undefined) return undefined;
    const [prior] = await tx.rows<{ id: string; request_hash: string | null }>(
      `SELECT id, request_hash FROM watchers WHERE namespace = $1 AND idempotency_key = $2`,
      [n.watcher.namespace, key],
    );
    if (!prior) return undefined;
    if (prior.request_hash !== (n.requestHash ?? null)) {
      throw new IdempotencyConflictError(
        `idempotency key "${key}" was used for a different request (watcher ${prior.id})`,
      );
    }
    return { watcher: await this.mustGet(tx, prior.id), created: false };
  }
}

function unreadable(n: NewWatcher): never {
  throw new Error(`the idempotency key of watcher ${n.watcher.id} is taken, by no watcher found`);
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

async function applyChange(tx: Queryable, c: WatcherChange, at: number): Promise<void> {
  let changed: number;
  if (c.kind === "bind") {
    changed = await tx.run(
      `UPDATE watchers SET job_uid = $1, bind_by = NULL, updated_at = $2
       WHERE id = $3 AND job_uid = '' AND status = 'PENDING'`,
      [c.jobUid, at, c.id],
    );
  } else if (c.kind === "notify") {
    changed = await tx.run(
      `UPDATE watchers SET status = $1, job_outcome = $2, reason = $3, message = '',
         deadline_at = NULL, bind_by = NULL, updated_at = $4
       WHERE id = $5 AND status = 'PENDING'`,
      [c.status, c.outcome, Reason.JOB_FINISHED, at, c.id],
    );
    if (changed > 0) await insertOutbox(tx, c.id, c.deliveries);
  } else {
    changed = await end(tx, c.id, c.ending, at);
  }
  if (changed === 0) throw new StaleChange(`watcher ${c.id} changed meanwhile`);
}

async function end(
  tx: Queryable,
  id: string,
  e: Extract<WatcherChange, { kind: "end" }>["ending"],
  at: number,
): Promise<number> {
  const changed = await tx.run(
    `UPDATE watchers SET status = $1, reason = $2, message = $3,
       job_outcome = COALESCE($4, job_outcome), deadline_at = NULL, bind_by = NULL, updated_at = $5
     WHERE id = $6 AND status IN ${OPEN}`,
    [e.status, e.reason, e.message, e.outcome ?? null, at, id],
  );
  if (changed === 0) return 0;
  await tx.run(`UPDATE triggers SET status = $1 WHERE watcher_id = $2 AND status = 'NOT_CALLED'`, [
    e.triggerStatus,
    id,
  ]);
  await tx.run(`DELETE FROM deliveries WHERE watcher_id = $1`, [id]);
  return changed;
}

// The webhooks the triggers name, locked against a delete (WebhookRepo.delete takes the row FOR
// UPDATE) until this transaction ends; a webhook deleted meanwhile is found deleted.
async function checkWebhooks(tx: Queryable, n: NewWatcher): Promise<void> {
  const ids = [...new Set(n.watcher.triggers.map((t) => t.webhookId))];
  const rows = await tx.rows<{ id: string }>(
    `SELECT id FROM webhooks WHERE id = ANY($1::text[]) AND deleted_at IS NULL
     ORDER BY id FOR SHARE`,
    [ids],
  );
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new UnknownWebhookError(missing);
}

// A CronJob watcher's watcher for a Job that it has one for already (another replica's): stale.
async function spawn(tx: Queryable, n: NewWatcher): Promise<void> {
  if (!(await insert(tx, n, BY_FAMILY))) {
    throw new StaleChange(`watcher ${n.watcher.parentId} has a watcher for ${n.watcher.jobUid}`);
  }
}

// The unique indexes an insert may find taken: an idempotency key, a family's watcher for a Job.
const BY_KEY = `(namespace, idempotency_key) WHERE idempotency_key IS NOT NULL`;
const BY_FAMILY = `(parent_id, job_uid) WHERE parent_id <> ''`;

/**
 * Inserts the watcher, its triggers and its bind request (NewWatcher.askBind) in one statement;
 * false, having inserted nothing, when the unique index `taken` names already holds its values.
 * An insert racing another with the same values waits for the other's transaction, and finds
 * them taken if it commits.
 */
async function insert(tx: Queryable, n: NewWatcher, taken: string): Promise<boolean> {
  const w = n.watcher;
  const [row] = await tx.rows<{ n: number }>(
    `WITH w AS (
       INSERT INTO watchers (id, namespace, job_name, cron_job_name, parent_id, timeout_seconds,
         notify_on, status, reason, message, job_uid, created_at, updated_at, deadline_at,
         bind_by, idempotency_key, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT ${taken} DO NOTHING
       RETURNING id, namespace, job_name
     ), t AS (
       INSERT INTO triggers (id, watcher_id, position, webhook_id, timeout_seconds, status)
       SELECT t.id, w.id, t.position - 1, t.webhook_id, t.timeout_seconds, t.status
       FROM w, unnest($18::text[], $19::text[], $20::int[], $21::text[]) WITH ORDINALITY
         AS t(id, webhook_id, timeout_seconds, status, position)
     ), asked AS (
       INSERT INTO bind_requests (watcher_id, namespace, job_name)
       SELECT id, namespace, job_name FROM w WHERE $22::boolean
     )
     SELECT COUNT(*) AS n FROM w`,
    [
      ...watcherValues(n),
      w.triggers.map((t) => t.id),
      w.triggers.map((t) => t.webhookId),
      w.triggers.map((t) => t.timeoutSeconds),
      w.triggers.map((t) => t.status),
      n.askBind === true,
    ],
  );
  return (row?.n ?? 0) > 0;
}

async function queueLabel(tx: Queryable, job: JobRef, at: Date): Promise<void> {
  await tx.run(
    `INSERT INTO job_labels (job_uid, namespace, name, due_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (job_uid) DO NOTHING`,
    [job.uid, job.namespace, job.name, at.getTime()],
  );
}

async function recordOn(q: Queryable, c: AttemptChanges): Promise<AttemptRecorded> {
  const [row] = await q.rows<{ n: number; disabled: number }>(
    RECORD_ATTEMPT,
    recordAttemptValues(c),
  );
  return { recorded: (row?.n ?? 0) > 0, webhookDisabled: (row?.disabled ?? 0) > 0 };
}
