import type { DeliveryAttempt } from "../../../contract/model.js";
import { attemptFromRow, type AttemptRow } from "../attemptRows.js";
import type { DeliveryLogRepo } from "../DeliveryLogRepo.js";
import type { Database } from "./Database.js";

/** DeliveryLogRepo on PostgreSQL. */
export class PostgresDeliveryLogRepo implements DeliveryLogRepo {
  constructor(private readonly db: Database) {}

  /** One statement; rows another replica is deleting at the moment are skipped, not waited for. */
  async prune(before: Date, limit: number): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(
      `WITH a AS (
         DELETE FROM attempts WHERE id IN (
           SELECT id FROM attempts WHERE started_at < $1 ORDER BY started_at LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING 1),
       m AS (
         DELETE FROM messages WHERE id IN (
           SELECT id FROM messages WHERE ended_at < $1 ORDER BY ended_at LIMIT $2
           FOR UPDATE SKIP LOCKED)
         RETURNING 1)
       SELECT ((SELECT COUNT(*) FROM a) + (SELECT COUNT(*) FROM m))::int AS n`,
      [before.getTime(), limit],
    );
    return row?.n ?? 0;
  }

  async attempts(watcherId: string, limit: number, afterId?: string): Promise<DeliveryAttempt[]> {
    const rows = await this.db.rows<AttemptRow>(
      `SELECT * FROM attempts WHERE watcher_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [watcherId, afterId ?? "0", limit],
    );
    return rows.map(attemptFromRow);
  }
}
