import type { MemberRepo } from "../MemberRepo.js";
import type { Database } from "./Database.js";

// A replica not seen for this long is forgotten for good (its row removed).
const FORGET_MS = 60 * 60 * 1000;

/** MemberRepo on PostgreSQL: a row per replica with the time it last said it was alive. */
export class PostgresMemberRepo implements MemberRepo {
  constructor(private readonly db: Database) {}

  async heartbeat(id: string, now: Date, since: Date): Promise<string[]> {
    const rows = await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO members (id, seen_at) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
        [id, now.getTime()],
      );
      await tx.run(`DELETE FROM members WHERE seen_at < $1`, [now.getTime() - FORGET_MS]);
      return tx.rows<{ id: string }>(`SELECT id FROM members WHERE seen_at >= $1 ORDER BY id`, [
        since.getTime(),
      ]);
    });
    return rows.map((r) => r.id);
  }

  async leave(id: string): Promise<void> {
    await this.db.run(`DELETE FROM members WHERE id = $1`, [id]);
  }
}
