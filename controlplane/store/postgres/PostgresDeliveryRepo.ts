import type { Delivery } from "../../watchers/model.js";
import type { Busy, DeliveryRepo } from "../DeliveryRepo.js";
import { toDelivery, type DeliveryRow } from "../rows.js";
import type { Database, Queryable } from "./Database.js";

/**
 * When each destination with room for another attempt has its first delivery that could start:
 * not busy here, and counting a row another replica claimed as due when its claim runs out.
 * Destinations are read by skipping along the (destination, next_attempt_at) index, one step per
 * destination; claimed rows are few (the attempts in flight), so both lookups stay short however
 * long a receiver's backlog.
 */
const OPEN_DESTINATIONS = `
  WITH RECURSIVE d(destination) AS (
    SELECT MIN(destination) FROM deliveries
    UNION ALL
    SELECT (SELECT MIN(destination) FROM deliveries WHERE destination > d.destination)
    FROM d WHERE d.destination IS NOT NULL
  )
  SELECT destination, LEAST(
    (SELECT next_attempt_at FROM deliveries x
     WHERE x.destination = d.destination AND x.claimed_until IS NULL AND NOT (x.id = ANY($1::text[]))
     ORDER BY next_attempt_at LIMIT 1),
    (SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM deliveries x
     WHERE x.destination = d.destination AND x.claimed_until IS NOT NULL
       AND NOT (x.id = ANY($1::text[])))) AS first
  FROM d WHERE destination IS NOT NULL AND NOT (destination = ANY($2::text[]))`;

/** DeliveryRepo on PostgreSQL: what due() hands out is claimed until busy.claimUntil. */
export class PostgresDeliveryRepo implements DeliveryRepo {
  constructor(private readonly db: Database) {}

  /**
   * Up to `limit` deliveries due by `now`, oldest first within each destination, skipping busy
   * and claimed ones and never taking a destination past its cap: one slow receiver gets its
   * share of the slots and no more. Destinations whose oldest due delivery is older go first.
   * Rows another replica is handing out at this moment are skipped, not waited for.
   */
  async due(now: Date, limit: number, busy: Busy): Promise<Delivery[]> {
    // Read first, outside the transaction: most calls find nothing due and end here. The rows
    // picked below are checked again as they are locked.
    const open = (await openDestinations(this.db, busy))
      .filter((d) => d.first <= now.getTime())
      .sort((a, b) => a.first - b.first);
    if (open.length === 0) return [];
    return this.db.transaction(async (tx) => {
      const picked: DeliveryRow[] = [];
      for (const { destination } of open) {
        const room = Math.min(
          busy.destinationCap - (busy.perDestination.get(destination) ?? 0),
          limit - picked.length,
        );
        if (room <= 0) break;
        const rows = await tx.rows<DeliveryRow>(
          `SELECT * FROM deliveries WHERE destination = $1 AND next_attempt_at <= $2
             AND (claimed_until IS NULL OR claimed_until <= $2) AND NOT (id = ANY($3::text[]))
           ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED`,
          [destination, now.getTime(), [...busy.ids], room],
        );
        picked.push(...rows);
      }
      if (picked.length > 0) {
        await tx.run(`UPDATE deliveries SET claimed_until = $1 WHERE id = ANY($2::text[])`, [
          busy.claimUntil.getTime(),
          picked.map((r) => r.id),
        ]);
      }
      return picked.map(toDelivery);
    });
  }

  /** When the next delivery that could be started falls due (busy ones and full destinations aside). */
  async nextDue(busy: Busy): Promise<Date | undefined> {
    let next: number | undefined;
    for (const { first } of await openDestinations(this.db, busy)) {
      if (next === undefined || first < next) next = first;
    }
    return next === undefined ? undefined : new Date(next);
  }

  async count(): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM deliveries`);
    return row?.n ?? 0;
  }
}

// Destinations with room for another attempt and a delivery that could start, and when it can.
async function openDestinations(
  q: Queryable,
  busy: Busy,
): Promise<{ destination: string; first: number }[]> {
  const full = [...busy.perDestination].filter(([, n]) => n >= busy.destinationCap).map(([d]) => d);
  const rows = await q.rows<{ destination: string; first: number | null }>(OPEN_DESTINATIONS, [
    [...busy.ids],
    full,
  ]);
  return rows.flatMap((r) =>
    r.first === null ? [] : [{ destination: r.destination, first: r.first }],
  );
}
