import { PARKED_MS, type Webhook } from "../../watchers/model.js";
import type { Cursor } from "../keyset.js";
import { toWebhook, webhookValues, type WebhookRow } from "../rows.js";
import type { WebhookDeletion, WebhookEnabled, WebhookRepo } from "../WebhookRepo.js";
import type { Database, Queryable } from "./Database.js";
import { OPEN } from "./PostgresWatcherReads.js";

const NAMED_IDS = 20;

const INSERT = `INSERT INTO webhooks (id, url, request_body, description, secret, created_at,
                  source, options) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

/** WebhookRepo on PostgreSQL; a deleted webhook keeps its row with deleted_at set. */
export class PostgresWebhookRepo implements WebhookRepo {
  constructor(private readonly db: Database) {}

  async insert(w: Webhook): Promise<void> {
    await this.db.run(INSERT, webhookValues(w));
  }

  /** Inserts `w`, or brings its tombstone back with w's fields; a live webhook is left alone. */
  async ensure(w: Webhook): Promise<void> {
    await this.db.run(
      `${INSERT}
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, request_body = excluded.request_body,
         description = excluded.description, secret = excluded.secret, deleted_at = NULL
       WHERE webhooks.deleted_at IS NOT NULL`,
      webhookValues(w),
    );
  }

  /** A webhook that is not deleted; with `deleted`, also a tombstone. */
  async get(id: string, deleted?: "with-deleted"): Promise<Webhook | undefined> {
    const live = deleted ? "" : "AND deleted_at IS NULL";
    const [row] = await this.db.rows<WebhookRow>(`SELECT * FROM webhooks WHERE id = $1 ${live}`, [
      id,
    ]);
    return row && toWebhook(row);
  }

  async put(w: Webhook): Promise<void> {
    await this.db.run(
      `${INSERT}
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, description = excluded.description,
         options = excluded.options, source = excluded.source, deleted_at = NULL`,
      webhookValues(w),
    );
  }

  async tombstone(id: string, now: Date): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL`,
      [now.getTime(), id],
    );
    return n > 0;
  }

  async mirrored(): Promise<Webhook[]> {
    const rows = await this.db.rows<WebhookRow>(
      `SELECT * FROM webhooks WHERE source IS NOT NULL AND deleted_at IS NULL`,
    );
    return rows.map(toWebhook);
  }

  async outcomes(id: string): Promise<{ delivered: number; failed: number }> {
    const [row] = await this.db.rows<{ delivered: number; failed: number }>(
      `SELECT COUNT(*) FILTER (WHERE status = 'CALLED')::int AS delivered,
         COUNT(*) FILTER (WHERE status IN ('FAILED', 'TIMEOUT'))::int AS failed
       FROM triggers WHERE webhook_id = $1`,
      [id],
    );
    return row ?? { delivered: 0, failed: 0 };
  }

  /**
   * Deletes the webhook unless a watcher that has not ended (PENDING, PROCESSING) names it. The
   * row is locked first: a create naming it (which takes it FOR SHARE) either committed before,
   * and its watcher is counted, or waits and then finds the webhook deleted.
   */
  delete(id: string, now: Date): Promise<WebhookDeletion> {
    return this.db.transaction(async (tx): Promise<WebhookDeletion> => {
      const live = await tx.rows(
        `SELECT 1 FROM webhooks WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
        [id],
      );
      if (live.length === 0) return { kind: "missing" };
      const open = `FROM watchers WHERE status IN ${OPEN}
                     AND id IN (SELECT watcher_id FROM triggers WHERE webhook_id = $1)`;
      const [{ count } = { count: 0 }] = await tx.rows<{ count: number }>(
        `SELECT COUNT(*) AS count ${open}`,
        [id],
      );
      if (count > 0) {
        const rows = await tx.rows<{ id: string }>(
          `SELECT id ${open} ORDER BY created_at, id LIMIT $2`,
          [id, NAMED_IDS],
        );
        return { kind: "in-use", watcherIds: rows.map((r) => r.id), count };
      }
      await tx.run(
        `UPDATE webhooks SET deleted_at = $1, request_body = NULL, secret = NULL WHERE id = $2`,
        [now.getTime(), id],
      );
      return { kind: "deleted" };
    });
  }

  /** Up to `limit` webhooks that are not deleted, oldest first, after `after`. */
  async list(limit: number, after?: Cursor): Promise<Webhook[]> {
    const rows = after
      ? await this.db.rows<WebhookRow>(
          `SELECT * FROM webhooks WHERE deleted_at IS NULL AND (created_at, id) > ($1, $2)
           ORDER BY created_at, id LIMIT $3`,
          [after.createdAt, after.id, limit],
        )
      : await this.db.rows<WebhookRow>(
          `SELECT * FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT $1`,
          [limit],
        );
    return rows.map(toWebhook);
  }

  /** The webhook's row is locked first, as delete does, then its parked rows are due now. */
  enable(id: string, now: Date, minDeadlineMs: number): Promise<WebhookEnabled | undefined> {
    return this.againOnDeadlock(async (tx): Promise<WebhookEnabled | undefined> => {
      const [before] = await tx.rows<{ disabled_at: number | null }>(
        `SELECT disabled_at FROM webhooks WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
        [id],
      );
      if (!before) return undefined;
      const [row] = await tx.rows<WebhookRow>(
        `UPDATE webhooks SET disabled_at = NULL, failing_since = NULL WHERE id = $1 RETURNING *`,
        [id],
      );
      const t = now.getTime();
      await tx.run(
        `UPDATE deliveries SET next_attempt_at = $1, deadline_at = GREATEST(deadline_at, $2)
         WHERE webhook_id = $3 AND next_attempt_at >= $4`,
        [t, t + minDeadlineMs, id, PARKED_MS],
      );
      return row && { webhook: toWebhook(row), wasDisabled: before.disabled_at !== null };
    });
  }

  rotateSecret(
    id: string,
    secret: string,
    previousExpiresAt: Date | undefined,
  ): Promise<Webhook | undefined> {
    return this.againOnDeadlock(async (tx): Promise<Webhook | undefined> => {
      const [row] = await tx.rows<WebhookRow>(
        `UPDATE webhooks SET secret = $1,
           previous_secret = CASE WHEN $2::bigint IS NULL THEN NULL ELSE secret END,
           previous_secret_expires_at = CASE WHEN secret IS NULL THEN NULL ELSE $2::bigint END
         WHERE id = $3 AND deleted_at IS NULL RETURNING *`,
        [secret, previousExpiresAt?.getTime() ?? null, id],
      );
      if (!row) return undefined;
      await tx.run(
        `UPDATE deliveries SET secret = $1, previous_secret = $2, previous_secret_expires_at = $3
         WHERE webhook_id = $4 AND secret_ref IS NULL`,
        [row.secret, row.previous_secret, row.previous_secret_expires_at, id],
      );
      return toWebhook(row);
    });
  }

  // A transaction that writes a webhook's row and its outbox rows may deadlock with an attempt
  // being recorded for it (RECORD_ATTEMPT locks the same rows, in an order of its own): the one
  // PostgreSQL rolls back wrote nothing and is run again.
  private async againOnDeadlock<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await this.db.transaction(fn);
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (tries >= 3 || (code !== "40P01" && code !== "40001")) throw err;
      }
    }
  }

  async disabledCount(): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM webhooks WHERE disabled_at IS NOT NULL AND deleted_at IS NULL`,
    );
    return row?.n ?? 0;
  }
}
