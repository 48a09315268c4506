import type { Watcher, WatcherFilter } from "../../watchers/model.js";
import type { Cursor } from "../keyset.js";
import type { BindRequest } from "../WatcherRepo.js";
import { toTrigger, toWatcher, type TriggerRow, type WatcherRow } from "../rows.js";
import type { Database, Queryable } from "./Database.js";

export const OPEN = `('PENDING', 'PROCESSING')`;

type WatcherWithTriggers = WatcherRow & { triggers: TriggerRow[] };

/**
 * The watchers `from` selects, each with its triggers, oldest first: one statement, so a
 * watcher and its triggers come from one snapshot.
 */
function withTriggers(from: string): string {
  return `SELECT w.*, (SELECT COALESCE(json_agg(t ORDER BY t.position), '[]'::json)
                       FROM triggers t WHERE t.watcher_id = w.id) AS triggers
          FROM (${from}) w ORDER BY w.created_at, w.id`;
}

/** Queries of watchers with their triggers; PostgresWatcherRepo adds the changes. */
export class PostgresWatcherReads {
  constructor(protected readonly db: Database) {}

  get(id: string): Promise<Watcher | undefined> {
    return this.getOn(this.db, id);
  }

  /** Pages in creation order; `after` is the last watcher of the previous page. */
  list(filter: WatcherFilter, limit: number, after?: Cursor): Promise<Watcher[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    for (const [column, value] of [
      ["namespace", filter.namespace],
      ["job_name", filter.jobName],
      ["status", filter.status],
    ] as const) {
      if (value !== undefined && value !== "") {
        args.push(value);
        where.push(`${column} = $${args.length}`);
      }
    }
    if (after) {
      args.push(after.createdAt, after.id);
      where.push(`(created_at, id) > ($${args.length - 1}, $${args.length})`);
    }
    args.push(limit);
    const sql = `SELECT * FROM watchers ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY created_at, id LIMIT $${args.length}`;
    return this.read(this.db, sql, args);
  }

  /** Open watchers bound to the Job `uid`, and PENDING unbound ones naming it. */
  openForJob(namespace: string, name: string, uid: string): Promise<Watcher[]> {
    return this.read(
      this.db,
      `SELECT * FROM watchers WHERE job_uid = $1 AND job_uid <> '' AND status IN ${OPEN}
       UNION
       SELECT * FROM watchers WHERE status = 'PENDING' AND namespace = $2 AND job_name = $3
         AND job_uid = '' AND cron_job_name = ''`,
      [uid, namespace, name],
    );
  }

  /** PENDING CronJob watchers for a CronJob; namespace '' ones match every namespace. */
  pendingFamilies(namespace: string, cronJobName: string): Promise<Watcher[]> {
    return this.read(
      this.db,
      `SELECT * FROM watchers WHERE status = 'PENDING' AND cron_job_name = $1
         AND cron_job_name <> '' AND namespace IN ($2, '')`,
      [cronJobName, namespace],
    );
  }

  /** Bound, still PENDING watchers: their Jobs should exist. */
  boundPending(): Promise<{ id: string; jobUid: string; namespace: string }[]> {
    return this.db.rows(
      `SELECT id, job_uid AS "jobUid", namespace FROM watchers
       WHERE status = 'PENDING' AND job_uid <> ''`,
    );
  }

  bindRequests(limit: number): Promise<BindRequest[]> {
    return this.db.rows(
      `SELECT watcher_id AS "watcherId", namespace, job_name AS "jobName" FROM bind_requests
       ORDER BY watcher_id LIMIT $1`,
      [limit],
    );
  }

  children(parentId: string): Promise<Watcher[]> {
    return this.read(
      this.db,
      `SELECT * FROM watchers WHERE parent_id = $1 AND parent_id <> '' AND status IN ${OPEN}`,
      [parentId],
    );
  }

  /** The ids of the watchers in `parentIds` that already have a watcher for the Job `uid`. */
  async parentsWithChild(parentIds: readonly string[], uid: string): Promise<Set<string>> {
    const rows = await this.db.rows<{ parent_id: string }>(
      `SELECT parent_id FROM watchers WHERE job_uid = $1 AND job_uid <> ''
         AND parent_id = ANY($2::text[])`,
      [uid, parentIds],
    );
    return new Set(rows.map((r) => r.parent_id));
  }

  /** PENDING watchers past their timeout, and unbound ones past their wait for the Job. */
  async expired(now: Date): Promise<{ timedOut: Watcher[]; notFound: Watcher[] }> {
    const [timedOut, notFound] = await Promise.all([
      this.read(this.db, `SELECT * FROM watchers WHERE status = 'PENDING' AND deadline_at <= $1`, [
        now.getTime(),
      ]),
      this.read(
        this.db,
        `SELECT * FROM watchers WHERE status = 'PENDING' AND job_uid = '' AND bind_by <= $1`,
        [now.getTime()],
      ),
    ]);
    return { timedOut, notFound };
  }

  /** The earliest time expired() may find something. */
  async nextExpiry(): Promise<Date | undefined> {
    const [row] = await this.db.rows<{ t: number | null }>(
      `SELECT LEAST(
         (SELECT MIN(deadline_at) FROM watchers WHERE status = 'PENDING' AND deadline_at IS NOT NULL),
         (SELECT MIN(bind_by) FROM watchers WHERE status = 'PENDING' AND bind_by IS NOT NULL)) AS t`,
    );
    const t = row?.t ?? null;
    return t === null ? undefined : new Date(t);
  }

  protected async getOn(q: Queryable, id: string): Promise<Watcher | undefined> {
    return (await this.read(q, `SELECT * FROM watchers WHERE id = $1`, [id]))[0];
  }

  protected async mustGet(q: Queryable, id: string): Promise<Watcher> {
    const w = await this.getOn(q, id);
    if (!w) throw new Error(`watcher ${id} vanished inside its transaction`);
    return w;
  }

  private async read(q: Queryable, from: string, values: unknown[] = []): Promise<Watcher[]> {
    const rows = await q.rows<WatcherWithTriggers>(withTriggers(from), values);
    return rows.map((r) => toWatcher(r, r.triggers.map(toTrigger)));
  }
}
