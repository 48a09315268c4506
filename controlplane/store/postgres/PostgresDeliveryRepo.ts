import type { Delivery } from "../../watchers/model.js";
import type { Busy, DeliveryRepo } from "../DeliveryRepo.js";
import { toDelivery, type DeliveryRow } from "../rows.js";
import type { Database, Queryable } from "./Database.js";

/**
 * `d`: every destination of the outbox once, read by skipping along the (destination,
 * next_attempt_at) index, one step per destination, however long a receiver's backlog.
 */
const DESTINATIONS = `
  WITH RECURSIVE d(destination) AS (
    SELECT MIN(destination) FROM deliveries
    UNION ALL
    SELECT (SELECT MIN(destination) FROM deliveries WHERE destination > d.destination)
    FROM d WHERE d.destination IS NOT NULL
  )`;

/**
 * When each destination with room for another attempt has its first delivery that could start:
 * not busy here, and counting a row another replica claimed as due when its claim runs out.
 * Claimed rows are few (the attempts in flight), so both lookups stay short.
 */
const OPEN_DESTINATIONS = `${DESTINATIONS}
  SELECT destination, LEAST(
    (SELECT next_attempt_at FROM deliveries x
     WHERE x.destination = d.destination AND x.claimed_until IS NULL AND NOT (x.id = ANY($1::text[]))
     ORDER BY next_attempt_at LIMIT 1),
    (SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM deliveries x
     WHERE x.destination = d.destination AND x.claimed_until IS NOT NULL
       AND NOT (x.id = ANY($1::text[])))) AS first
  FROM d WHERE destination IS NOT NULL AND NOT (destination = ANY($2::text[]))`;

/**
 * Claims the deliveries due(): each destination's room ($5, the cap, less its attempts in flight
 * here: $3, $4), its oldest due rows that are neither busy here ($2) nor claimed (read along
 * the destination index, at most its room each), then the oldest $6 of those that no other
 * replica has locked and that are still unclaimed once locked, claimed until $7. The lock is
 * taken under the limit, row by row as the limit asks for them: a row another replica is
 * claiming at this moment is passed over for the next one, not counted, and only the rows
 * claimed are locked, so replicas claiming at once share the due rows instead of each locking
 * all of them and claiming a few.
 */
const CLAIM_DUE = `${DESTINATIONS},
  room AS (
    SELECT d.destination, GREATEST($5::int - COALESCE(u.used, 0), 0) AS room
    FROM d LEFT JOIN unnest($3::text[], $4::int[]) AS u(destination, used)
      ON u.destination = d.destination
    WHERE d.destination IS NOT NULL
  ),
  claimed AS (
    SELECT x.id FROM room r CROSS JOIN LATERAL (
      SELECT c.id, c.next_attempt_at FROM deliveries c
      WHERE c.destination = r.destination AND c.next_attempt_at <= $1
        AND (c.claimed_until IS NULL OR c.claimed_until <= $1) AND NOT (c.id = ANY($2::text[]))
      ORDER BY c.next_attempt_at LIMIT r.room
    ) c
    JOIN deliveries x ON x.id = c.id
    WHERE x.claimed_until IS NULL OR x.claimed_until <= $1
    ORDER BY c.next_attempt_at LIMIT $6
    FOR UPDATE OF x SKIP LOCKED
  )
  UPDATE deliveries SET claimed_until = $7 FROM claimed WHERE deliveries.id = claimed.id
  RETURNING deliveries.*`;

/** DeliveryRepo on PostgreSQL: what due() hands out is claimed until busy.claimUntil. */
export class PostgresDeliveryRepo implements DeliveryRepo {
  constructor(private readonly db: Database) {}

  /**
   * Up to `limit` deliveries due by `now`, oldest first, skipping busy and claimed ones and never
   * taking a destination past its cap: one slow receiver gets its share of the slots and no
   * more. One statement, so one round trip: rows another replica is handing out at this moment
   * are skipped, not waited for, and a row claimed since this statement's snapshot is checked
   * again as it is locked.
   */
  async due(now: Date, limit: number, busy: Busy): Promise<Delivery[]> {
    const used = [...busy.perDestination];
    const rows = await this.db.rows<DeliveryRow>(CLAIM_DUE, [
      now.getTime(),
      [...busy.ids],
      used.map(([d]) => d),
      used.map(([, n]) => n),
      busy.destinationCap,
      limit,
      busy.claimUntil.getTime(),
    ]);
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at).map(toDelivery);
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
