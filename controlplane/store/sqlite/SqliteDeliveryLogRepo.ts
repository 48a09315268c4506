import type { Database, Statement } from "better-sqlite3";
import type { DeliveryAttempt } from "../../../contract/model.js";
import { attemptFromRow, type AttemptRow } from "../attemptRows.js";
import type { DeliveryLogRepo } from "../DeliveryLogRepo.js";
import type { Synchronous } from "../guarded.js";
import { statementCache } from "./statements.js";

/** DeliveryLogRepo on SQLite. */
export class SqliteDeliveryLogRepo implements Synchronous<DeliveryLogRepo> {
  private readonly q: (sql: string) => Statement;

  constructor(private readonly db: Database) {
    this.q = statementCache(db);
  }

  // Pages freed by the deletes are reused by the next inserts: the file stops growing.
  prune(before: Date, limit: number): number {
    const at = before.getTime();
    return this.db.transaction(
      () =>
        this.q(
          `DELETE FROM attempts WHERE id IN (
             SELECT id FROM attempts WHERE started_at < ? ORDER BY started_at LIMIT ?)`,
        ).run(at, limit).changes +
        this.q(
          `DELETE FROM messages WHERE id IN (
             SELECT id FROM messages WHERE ended_at < ? ORDER BY ended_at LIMIT ?)`,
        ).run(at, limit).changes,
    )();
  }

  attempts(watcherId: string, limit: number, afterId?: string): DeliveryAttempt[] {
    const rows = this.q(
      `SELECT * FROM attempts WHERE watcher_id = ? AND id > ? ORDER BY id LIMIT ?`,
    ).all(watcherId, afterId === undefined ? 0 : Number(afterId), limit) as AttemptRow[];
    return rows.map(attemptFromRow);
  }
}
