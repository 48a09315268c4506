import type { Database, Statement } from "better-sqlite3";
import type { Delivery } from "../watchers/model.js";
import { toDelivery, type DeliveryRow } from "./rows.js";
import { statementCache } from "./statements.js";

/** Reads of the outbox; its writes belong to WatcherRepo, which owns the aggregate. */
export class DeliveryRepo {
  private readonly q: (sql: string) => Statement;

  constructor(db: Database) {
    this.q = statementCache(db);
  }

  /** Deliveries due by `now`, oldest first, skipping those already in flight. */
  due(now: Date, limit: number, inFlight: ReadonlySet<string>): Delivery[] {
    const rows = this.q(
      `SELECT * FROM deliveries WHERE next_attempt_at <= ?
         AND id NOT IN (SELECT value FROM json_each(?))
       ORDER BY next_attempt_at LIMIT ?`,
    ).all(now.getTime(), JSON.stringify([...inFlight]), limit) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  /** When the next delivery not in flight falls due. */
  nextDue(inFlight: ReadonlySet<string>): Date | undefined {
    const row = this.q(
      `SELECT MIN(next_attempt_at) AS t FROM deliveries
       WHERE id NOT IN (SELECT value FROM json_each(?))`,
    ).get(JSON.stringify([...inFlight])) as { t: number | null };
    return row.t === null ? undefined : new Date(row.t);
  }

  count(): number {
    return (this.q(`SELECT COUNT(*) AS n FROM deliveries`).get() as { n: number }).n;
  }
}
