import type { Database, Statement } from "better-sqlite3";
import type { Synchronous } from "../guarded.js";
import {
  KEPT_MESSAGE_COLUMNS,
  LATEST_OF_TRIGGER,
  recoverable,
  toKeptMessage,
  type KeptMessageRow,
} from "../keptMessages.js";
import type { Redelivery, RedeliveryRepo, Resend } from "../RedeliveryRepo.js";
import { insertOutbox } from "./outbox.js";
import { statementCache } from "./statements.js";

/** RedeliveryRepo on SQLite: each call one transaction, through the outbox's one insert. */
export class SqliteRedeliveryRepo implements Synchronous<RedeliveryRepo> {
  private readonly q: (sql: string) => Statement;
  private readonly runInTransaction: (fn: () => unknown) => unknown;

  constructor(db: Database) {
    this.q = statementCache(db);
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  redeliver(triggerId: string, resend: Resend): Redelivery {
    return this.transaction((): Redelivery => {
      const trigger = this.q(`SELECT watcher_id, webhook_id FROM triggers WHERE id = ?`).get(
        triggerId,
      ) as { watcher_id: string; webhook_id: string } | undefined;
      if (!trigger) return { kind: "unknown-trigger" };
      if (!this.live(trigger.webhook_id)) return { kind: "webhook-deleted" };
      // By watcher first: the outbox's index.
      const queued = `SELECT 1 FROM deliveries WHERE watcher_id = ? AND trigger_id = ?`;
      if (this.q(queued).get(trigger.watcher_id, triggerId)) {
        return { kind: "in-flight" };
      }
      const row = this.q(
        `SELECT ${KEPT_MESSAGE_COLUMNS} FROM messages m JOIN triggers t ON t.id = m.trigger_id
         WHERE m.trigger_id = ? AND ${LATEST_OF_TRIGGER}`,
      ).get(triggerId) as KeptMessageRow | undefined;
      if (!row) return { kind: "no-message" };
      const delivery = resend(toKeptMessage(row));
      insertOutbox(this.q, [delivery]);
      return { kind: "queued", delivery };
    });
  }

  recover(webhookId: string, since: Date, resend: Resend): number {
    return this.transaction(() => {
      if (!this.live(webhookId)) return 0;
      const rows = this.q(recoverable("?", "?")).all(
        webhookId,
        since.getTime(),
      ) as KeptMessageRow[];
      insertOutbox(
        this.q,
        rows.map((r) => resend(toKeptMessage(r))),
      );
      return rows.length;
    });
  }

  private live(webhookId: string): boolean {
    const row = this.q(`SELECT 1 FROM webhooks WHERE id = ? AND deleted_at IS NULL`).get(webhookId);
    return row !== undefined;
  }

  private transaction<T>(fn: () => T): T {
    return this.runInTransaction(fn) as T;
  }
}
