import type { Delivery } from "../../watchers/model.js";
import {
  KEPT_MESSAGE_COLUMNS,
  LATEST_OF_TRIGGER,
  recoverable,
  toKeptMessage,
  type KeptMessageRow,
} from "../keptMessages.js";
import type { Redelivery, RedeliveryRepo, Resend } from "../RedeliveryRepo.js";
import type { Database, Queryable } from "./Database.js";
import { insertOutbox } from "./watcherStatements.js";

/**
 * RedeliveryRepo on PostgreSQL: each call one transaction, through the outbox's one insert. A
 * redelivery locks its trigger, so two at once queue it once; both lock the webhook against a
 * delete (which takes it FOR UPDATE), and a recovery takes it FOR UPDATE itself, so a recovery
 * and a redelivery of the same webhook do not queue one message twice. A delivery that ends
 * meanwhile commits its outbox row's removal and its message together (RECORD_ATTEMPT).
 */
export class PostgresRedeliveryRepo implements RedeliveryRepo {
  constructor(private readonly db: Database) {}

  redeliver(triggerId: string, resend: Resend): Promise<Redelivery> {
    return this.db.transaction(async (tx): Promise<Redelivery> => {
      const [trigger] = await tx.rows<{ watcher_id: string; webhook_id: string }>(
        `SELECT watcher_id, webhook_id FROM triggers WHERE id = $1 FOR UPDATE`,
        [triggerId],
      );
      if (!trigger) return { kind: "unknown-trigger" };
      // Locked before the outbox is read: a recovery queueing this trigger has committed.
      if (!(await live(tx, trigger.webhook_id, "SHARE"))) return { kind: "webhook-deleted" };
      const queued = await tx.rows(
        `SELECT 1 FROM deliveries WHERE watcher_id = $1 AND trigger_id = $2`,
        [trigger.watcher_id, triggerId],
      );
      if (queued.length > 0) return { kind: "in-flight" };
      const [row] = await tx.rows<KeptMessageRow>(
        `SELECT ${KEPT_MESSAGE_COLUMNS} FROM messages m JOIN triggers t ON t.id = m.trigger_id
         WHERE m.trigger_id = $1 AND ${LATEST_OF_TRIGGER}`,
        [triggerId],
      );
      if (!row) return { kind: "no-message" };
      const delivery = resend(toKeptMessage(row));
      await insertOutbox(tx, delivery.watcherId, [delivery]);
      return { kind: "queued", delivery };
    });
  }

  recover(webhookId: string, since: Date, resend: Resend): Promise<number> {
    return this.db.transaction(async (tx) => {
      if (!(await live(tx, webhookId, "UPDATE"))) return 0;
      const rows = await tx.rows<KeptMessageRow>(recoverable("$1", "$2"), [
        webhookId,
        since.getTime(),
      ]);
      const byWatcher = new Map<string, Delivery[]>();
      for (const r of rows) {
        const d = resend(toKeptMessage(r));
        byWatcher.set(d.watcherId, [...(byWatcher.get(d.watcherId) ?? []), d]);
      }
      for (const [watcherId, deliveries] of byWatcher) {
        await insertOutbox(tx, watcherId, deliveries);
      }
      return rows.length;
    });
  }
}

// The webhook, locked until the transaction ends, if it is not deleted.
async function live(tx: Queryable, id: string, lock: "SHARE" | "UPDATE"): Promise<boolean> {
  const rows = await tx.rows(
    `SELECT 1 FROM webhooks WHERE id = $1 AND deleted_at IS NULL FOR ${lock}`,
    [id],
  );
  return rows.length > 0;
}
