import type { Database, Statement } from "better-sqlite3";
import type { Delivery } from "../watchers/model.js";
import { toDelivery, type DeliveryRow } from "./rows.js";
import { statementCache } from "./statements.js";

/** What the dispatcher has under way: ids not to hand out again, slots taken per destination. */
export interface Busy {
  /** Deliveries in flight, or whose result is waiting to be recorded. */
  ids: ReadonlySet<string>;
  /** Attempts in flight per destination. */
  perDestination: ReadonlyMap<string, number>;
  /** No destination gets more attempts in flight than this. */
  destinationCap: number;
}

/** Reads of the outbox; its writes belong to WatcherRepo, which owns the aggregate. */
export class DeliveryRepo {
  private readonly q: (sql: string) => Statement;

  constructor(db: Database) {
    this.q = statementCache(db);
  }

  /**
   * Up to `limit` deliveries due by `now`, oldest first within each destination, skipping busy
   * ones and never taking a destination past its cap: one slow receiver gets its share of the
   * slots and no more.
   */
  due(now: Date, limit: number, busy: Busy): Delivery[] {
    const ids = JSON.stringify([...busy.ids]);
    const destinations = this.q(
      `SELECT destination, MIN(next_attempt_at) AS t FROM deliveries
       WHERE next_attempt_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
       GROUP BY destination ORDER BY t`,
    ).all(now.getTime(), ids) as { destination: string }[];
    const picked: Delivery[] = [];
    for (const { destination } of destinations) {
      const room = Math.min(
        busy.destinationCap - (busy.perDestination.get(destination) ?? 0),
        limit - picked.length,
      );
      if (room <= 0) continue;
      const rows = this.q(
        `SELECT * FROM deliveries WHERE destination = ? AND next_attempt_at <= ?
           AND id NOT IN (SELECT value FROM json_each(?))
         ORDER BY next_attempt_at LIMIT ?`,
      ).all(destination, now.getTime(), ids, room) as DeliveryRow[];
      picked.push(...rows.map(toDelivery));
      if (picked.length >= limit) break;
    }
    return picked;
  }

  /** When the next delivery that could be started falls due (busy ones and full destinations aside). */
  nextDue(busy: Busy): Date | undefined {
    const full = [...busy.perDestination]
      .filter(([, n]) => n >= busy.destinationCap)
      .map(([d]) => d);
    const row = this.q(
      `SELECT MIN(next_attempt_at) AS t FROM deliveries
       WHERE id NOT IN (SELECT value FROM json_each(?))
         AND destination NOT IN (SELECT value FROM json_each(?))`,
    ).get(JSON.stringify([...busy.ids]), JSON.stringify(full)) as { t: number | null };
    return row.t === null ? undefined : new Date(row.t);
  }

  count(): number {
    return (this.q(`SELECT COUNT(*) AS n FROM deliveries`).get() as { n: number }).n;
  }
}
