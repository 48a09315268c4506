import type { Database, Statement } from "better-sqlite3";
import { PARKED_MS, type Webhook } from "../../watchers/model.js";
import type { Cursor } from "../keyset.js";
import type { Synchronous } from "../guarded.js";
import type { WebhookDeletion, WebhookEnabled, WebhookRepo } from "../WebhookRepo.js";
import { toWebhook, webhookValues, type WebhookRow } from "../rows.js";
import { statementCache } from "./statements.js";
import { OPEN } from "./SqliteWatcherReads.js";

const NAMED_IDS = 20;
const INSERT = `INSERT INTO webhooks (id, url, request_body, description, secret, created_at,
                  source, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** WebhookRepo on SQLite; a deleted webhook keeps its row with deleted_at set. */
export class SqliteWebhookRepo implements Synchronous<WebhookRepo> {
  private readonly q: (sql: string) => Statement;
  private readonly runInTransaction: <T>(fn: () => T) => T;

  constructor(db: Database) {
    this.q = statementCache(db);
    const tx = db.transaction((fn: () => unknown) => fn());
    this.runInTransaction = <T>(fn: () => T): T => tx(fn) as T;
  }

  insert(w: Webhook): void {
    this.q(INSERT).run(...webhookValues(w));
  }

  put(w: Webhook): void {
    this.q(
      `${INSERT}
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, description = excluded.description,
         options = excluded.options, source = excluded.source, deleted_at = NULL`,
    ).run(...webhookValues(w));
  }

  tombstone(id: string, now: Date): boolean {
    return (
      this.q(`UPDATE webhooks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`).run(
        now.getTime(),
        id,
      ).changes > 0
    );
  }

  mirrored(): Webhook[] {
    const rows = this.q(
      `SELECT * FROM webhooks WHERE source IS NOT NULL AND deleted_at IS NULL`,
    ).all() as WebhookRow[];
    return rows.map(toWebhook);
  }

  outcomes(id: string): { delivered: number; failed: number } {
    return this.q(
      `SELECT COUNT(*) FILTER (WHERE status = 'CALLED') AS delivered,
         COUNT(*) FILTER (WHERE status IN ('FAILED', 'TIMEOUT')) AS failed
       FROM triggers WHERE webhook_id = ?`,
    ).get(id) as { delivered: number; failed: number };
  }

  /** Inserts `w`, or brings its tombstone back with w's fields; a live webhook is left alone. */
  ensure(w: Webhook): void {
    this.q(
      `${INSERT}
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, request_body = excluded.request_body,
         description = excluded.description, secret = excluded.secret, deleted_at = NULL
       WHERE deleted_at IS NOT NULL`,
    ).run(...webhookValues(w));
  }

  /** A webhook that is not deleted; with `deleted`, also a tombstone. */
  get(id: string, deleted?: "with-deleted"): Webhook | undefined {
    const live = deleted ? "" : "AND deleted_at IS NULL";
    const row = this.q(`SELECT * FROM webhooks WHERE id = ? ${live}`).get(id) as
      WebhookRow | undefined;
    return row && toWebhook(row);
  }

  /**
   * Deletes the webhook unless a watcher that has not ended (PENDING, PROCESSING) names it; the
   * check and the change are one transaction, so no watcher can start naming it in between.
   */
  delete(id: string, now: Date): WebhookDeletion {
    return this.runInTransaction((): WebhookDeletion => {
      if (!this.get(id)) return { kind: "missing" };
      const open = `FROM watchers WHERE status IN ${OPEN}
                     AND id IN (SELECT watcher_id FROM triggers WHERE webhook_id = ?)`;
      const { count } = this.q(`SELECT COUNT(*) AS count ${open}`).get(id) as { count: number };
      if (count > 0) {
        const rows = this.q(`SELECT id ${open} ORDER BY created_at, id LIMIT ?`).all(
          id,
          NAMED_IDS,
        ) as { id: string }[];
        return { kind: "in-use", watcherIds: rows.map((r) => r.id), count };
      }
      this.q(
        `UPDATE webhooks SET deleted_at = ?, request_body = NULL, secret = NULL WHERE id = ?`,
      ).run(now.getTime(), id);
      return { kind: "deleted" };
    });
  }

  /** Up to `limit` webhooks that are not deleted, oldest first, after `after`. */
  list(limit: number, after?: Cursor): Webhook[] {
    const rows = after
      ? this.q(
          `SELECT * FROM webhooks WHERE deleted_at IS NULL AND (created_at, id) > (?, ?)
           ORDER BY created_at, id LIMIT ?`,
        ).all(after.createdAt, after.id, limit)
      : this.q(
          `SELECT * FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT ?`,
        ).all(limit);
    return (rows as WebhookRow[]).map(toWebhook);
  }

  enable(id: string, now: Date, minDeadlineMs: number): WebhookEnabled | undefined {
    return this.runInTransaction((): WebhookEnabled | undefined => {
      const before = this.get(id);
      if (!before) return undefined;
      this.q(`UPDATE webhooks SET disabled_at = NULL, failing_since = NULL WHERE id = ?`).run(id);
      const t = now.getTime();
      this.q(
        `UPDATE deliveries SET next_attempt_at = ?, deadline_at = MAX(deadline_at, ?)
         WHERE webhook_id = ? AND next_attempt_at >= ?`,
      ).run(t, t + minDeadlineMs, id, PARKED_MS);
      const webhook = this.get(id);
      return webhook && { webhook, wasDisabled: before.disabledAt !== undefined };
    });
  }

  rotateSecret(
    id: string,
    secret: string,
    previousExpiresAt: Date | undefined,
  ): Webhook | undefined {
    return this.runInTransaction((): Webhook | undefined => {
      const expires = previousExpiresAt?.getTime() ?? null;
      const changed = this.q(
        `UPDATE webhooks SET secret = ?,
           previous_secret = CASE WHEN ? IS NULL THEN NULL ELSE secret END,
           previous_secret_expires_at = CASE WHEN secret IS NULL THEN NULL ELSE ? END
         WHERE id = ? AND deleted_at IS NULL`,
      ).run(secret, expires, expires, id).changes;
      if (changed === 0) return undefined;
      this.q(
        `UPDATE deliveries SET secret = w.secret, previous_secret = w.previous_secret,
           previous_secret_expires_at = w.previous_secret_expires_at
         FROM (SELECT secret, previous_secret, previous_secret_expires_at FROM webhooks
               WHERE id = ?) AS w
         WHERE webhook_id = ? AND secret_ref IS NULL`,
      ).run(id, id);
      return this.get(id);
    });
  }

  disabledCount(): number {
    const row = this.q(
      `SELECT COUNT(*) AS n FROM webhooks WHERE disabled_at IS NOT NULL AND deleted_at IS NULL`,
    ).get() as { n: number };
    return row.n;
  }
}
