import type { Database, Statement } from "better-sqlite3";
import type { Delivery } from "../../watchers/model.js";
import type { Busy, DeliveryRepo } from "../DeliveryRepo.js";
import type { Synchronous } from "../guarded.js";
import { toDelivery, type DeliveryRow } from "../rows.js";
import { statementCache } from "./statements.js";

/** DeliveryRepo on SQLite. */
export class SqliteDeliveryRepo implements Synchronous<DeliveryRepo> {
  private readonly q: (sql: string) => Statement;

  constructor(db: Database) {
    this.q = statementCache(db);
  }

  /**
   * Up to `limit` deliveries due by `now`, oldest first within each destination, skipping busy
   * ones and never taking a destination past its cap: one slow receiver gets its share of the
   * slots and no more. Destinations whose oldest due delivery is older go first.
   */
  due(now: Date, limit: number, busy: Busy): Delivery[] {
    const ids = JSON.stringify([...busy.ids]);
    const open = this.openDestinations(busy)
      .map((destination) => ({ destination, first: this.firstFree(destination, ids) }))
      .filter((d): d is { destination: string; first: number } => d.first !== undefined)
      .filter((d) => d.first <= now.getTime())
      .sort((a, b) => a.first - b.first);
    const picked: Delivery[] = [];
    for (const { destination } of open) {
      const room = Math.min(
        busy.destinationCap - (busy.perDestination.get(destination) ?? 0),
        limit - picked.length,
      );
      if (room <= 0) break;
      const rows = this.q(
        `SELECT * FROM deliveries WHERE destination = ? AND next_attempt_at <= ?
           AND id NOT IN (SELECT value FROM json_each(?))
         ORDER BY next_attempt_at LIMIT ?`,
      ).all(destination, now.getTime(), ids, room) as DeliveryRow[];
      picked.push(...rows.map(toDelivery));
    }
    return picked;
  }

  /** When the next delivery that could be started falls due (busy ones and full destinations aside). */
  nextDue(busy: Busy): Date | undefined {
    const ids = JSON.stringify([...busy.ids]);
    let next: number | undefined;
    for (const destination of this.openDestinations(busy)) {
      const first = this.firstFree(destination, ids);
      if (first !== undefined && (next === undefined || first < next)) next = first;
    }
    return next === undefined ? undefined : new Date(next);
  }

  // Destinations with deliveries and room for another attempt, read by skipping along the
  // (destination, next_attempt_at) index: one step per destination, not one per row, so a
  // backlog of thousands at one receiver costs nothing here.
  private openDestinations(busy: Busy): string[] {
    const all = this.q(
      `WITH RECURSIVE d(destination) AS (
         SELECT MIN(destination) FROM deliveries
         UNION ALL
         SELECT (SELECT MIN(destination) FROM deliveries WHERE destination > d.destination)
         FROM d WHERE d.destination IS NOT NULL
       )
       SELECT destination FROM d WHERE destination IS NOT NULL`,
    ).all() as { destination: string }[];
    return all
      .map((r) => r.destination)
      .filter((d) => (busy.perDestination.get(d) ?? 0) < busy.destinationCap);
  }

  // When the oldest delivery of `destination` that is not busy falls due.
  private firstFree(destination: string, ids: string): number | undefined {
    const row = this.q(
      `SELECT next_attempt_at AS t FROM deliveries WHERE destination = ?
         AND id NOT IN (SELECT value FROM json_each(?))
       ORDER BY next_attempt_at LIMIT 1`,
    ).get(destination, ids) as { t: number } | undefined;
    return row?.t;
  }

  count(): number {
    return (this.q(`SELECT COUNT(*) AS n FROM deliveries`).get() as { n: number }).n;
  }
}
