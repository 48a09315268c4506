import type { Database, Statement } from "better-sqlite3";
import type { Trigger, Watcher, WatcherFilter } from "../../watchers/model.js";
import type { Cursor } from "../keyset.js";
import type { BindRequest } from "../WatcherRepo.js";
import { toTrigger, toWatcher, type TriggerRow, type WatcherRow } from "../rows.js";
import { statementCache } from "./statements.js";

export const OPEN = `('PENDING', 'PROCESSING')`;

// The indexes on job_uid and parent_id are partial (WHERE ... != ''): a query says so too, or
// SQLite cannot use them and scans the whole table, ended watchers and all.

/** Queries of watchers with their triggers; SqliteWatcherRepo adds the changes. */
export class SqliteWatcherReads {
  protected readonly q: (sql: string) => Statement;
  // better-sqlite3 compiles a wrapper per db.transaction(); one that runs any closure is reused.
  private readonly runInTransaction: (fn: () => unknown) => unknown;

  constructor(protected readonly db: Database) {
    this.q = statementCache(db);
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `fn` in a transaction (nested calls join the outer one). */
  protected transaction<T>(fn: () => T): T {
    return this.runInTransaction(fn) as T;
  }

  get(id: string): Watcher | undefined {
    const row = this.q(`SELECT * FROM watchers WHERE id = ?`).get(id) as WatcherRow | undefined;
    return row && this.withTriggers([row])[0];
  }

  /** Pages in creation order; `after` is the last watcher of the previous page. */
  list(filter: WatcherFilter, limit: number, after?: Cursor): Watcher[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    for (const [column, value] of [
      ["namespace", filter.namespace],
      ["job_name", filter.jobName],
      ["status", filter.status],
    ] as const) {
      if (value !== undefined && value !== "") {
        where.push(`${column} = ?`);
        args.push(value);
      }
    }
    if (after) {
      where.push(`(created_at, id) > (?, ?)`);
      args.push(after.createdAt, after.id);
    }
    const sql = `SELECT * FROM watchers ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY created_at, id LIMIT ?`;
    return this.withTriggers(this.q(sql).all(...args, limit) as WatcherRow[]);
  }

  /** Open watchers bound to the Job `uid`, and PENDING unbound ones naming it. */
  openForJob(namespace: string, name: string, uid: string): Watcher[] {
    const rows = this.q(
      `SELECT * FROM watchers WHERE job_uid = ? AND job_uid != '' AND status IN ${OPEN}
       UNION
       SELECT * FROM watchers WHERE status = 'PENDING' AND namespace = ? AND job_name = ?
         AND job_uid = '' AND cron_job_name = ''
       ORDER BY created_at, id`,
    ).all(uid, namespace, name) as WatcherRow[];
    return this.withTriggers(rows);
  }

  /** PENDING CronJob watchers for a CronJob; namespace '' ones match every namespace. */
  pendingFamilies(namespace: string, cronJobName: string): Watcher[] {
    const rows = this.q(
      `SELECT * FROM watchers WHERE status = 'PENDING' AND cron_job_name = ? AND cron_job_name != ''
         AND namespace IN (?, '')`,
    ).all(cronJobName, namespace) as WatcherRow[];
    return this.withTriggers(rows);
  }

  /** Bound, still PENDING watchers: their Jobs should exist. */
  boundPending(): { id: string; jobUid: string; namespace: string }[] {
    return this.q(
      `SELECT id, job_uid AS jobUid, namespace FROM watchers WHERE status = 'PENDING' AND job_uid != ''`,
    ).all() as { id: string; jobUid: string; namespace: string }[];
  }

  bindRequests(limit: number): BindRequest[] {
    return this.q(
      `SELECT watcher_id AS watcherId, namespace, job_name AS jobName FROM bind_requests
       ORDER BY watcher_id LIMIT ?`,
    ).all(limit) as BindRequest[];
  }

  children(parentId: string): Watcher[] {
    return this.withTriggers(
      this.q(
        `SELECT * FROM watchers WHERE parent_id = ? AND parent_id != '' AND status IN ${OPEN}`,
      ).all(parentId) as WatcherRow[],
    );
  }

  /** The ids of the watchers in `parentIds` that already have a watcher for the Job `uid`. */
  parentsWithChild(parentIds: readonly string[], uid: string): Set<string> {
    const rows = this.q(
      `SELECT parent_id FROM watchers WHERE job_uid = ? AND job_uid != ''
         AND parent_id IN (SELECT value FROM json_each(?))`,
    ).all(uid, JSON.stringify(parentIds)) as { parent_id: string }[];
    return new Set(rows.map((r) => r.parent_id));
  }

  /** PENDING watchers past their timeout, and unbound ones past their wait for the Job. */
  expired(now: Date): { timedOut: Watcher[]; notFound: Watcher[] } {
    const read = (sql: string): Watcher[] =>
      this.withTriggers(this.q(sql).all(now.getTime()) as WatcherRow[]);
    return {
      timedOut: read(
        `SELECT * FROM watchers WHERE status = 'PENDING' AND deadline_at <= ? ORDER BY created_at, id`,
      ),
      notFound: read(
        `SELECT * FROM watchers WHERE status = 'PENDING' AND job_uid = '' AND bind_by <= ?
         ORDER BY created_at, id`,
      ),
    };
  }

  /** The earliest time expired() may find something. */
  nextExpiry(): Date | undefined {
    const row = this.q(
      `SELECT MIN(t) AS t FROM (
         SELECT MIN(deadline_at) AS t FROM watchers WHERE status = 'PENDING' AND deadline_at IS NOT NULL
         UNION ALL
         SELECT MIN(bind_by) FROM watchers WHERE status = 'PENDING' AND bind_by IS NOT NULL)`,
    ).get() as { t: number | null };
    return row.t === null ? undefined : new Date(row.t);
  }

  protected mustGet(id: string): Watcher {
    const w = this.get(id);
    if (!w) throw new Error(`watcher ${id} vanished inside its transaction`);
    return w;
  }

  protected withTriggers(rows: WatcherRow[]): Watcher[] {
    if (rows.length === 0) return [];
    const triggers = this.q(
      `SELECT * FROM triggers WHERE watcher_id IN (SELECT value FROM json_each(?))
       ORDER BY watcher_id, position`,
    ).all(JSON.stringify(rows.map((r) => r.id))) as TriggerRow[];
    const byWatcher = new Map<string, Trigger[]>();
    for (const t of triggers.map(toTrigger)) {
      const list = byWatcher.get(t.watcherId);
      if (list) list.push(t);
      else byWatcher.set(t.watcherId, [t]);
    }
    return rows.map((r) => toWatcher(r, byWatcher.get(r.id) ?? []));
  }
}
