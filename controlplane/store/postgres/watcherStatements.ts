import { PARKED_MS, Reason, TriggerStatus, type Delivery } from "../../watchers/model.js";
import { deliveryExtras } from "../rows.js";
import type { Queryable } from "./Database.js";
import { ATTEMPT_COLUMNS, attemptValues } from "../attemptRows.js";
import type { AttemptChanges, WatcherChange, WatcherChanges } from "../WatcherRepo.js";

/** Writes of PostgresWatcherRepo that are one statement each, so one round trip. */

/**
 * An INSERT of a watcher's outbox rows, from one array parameter per column starting at
 * `$first` (in deliveryColumns' order), for the watcher `$watcher`.
 */
export function insertDeliveries(first: number, watcher: number): string {
  const p = (i: number, type: string): string => `$${first + i}::${type}[]`;
  const columns = `trigger_id, url, destination, body, content_type, secret, deadline_at,
      next_attempt_at, created_at, headers, secret_ref, webhook_id, redelivery, previous_secret,
      previous_secret_expires_at`;
  // A webhook disabled since its deliveries were built: they wait (parked) with its others.
  const values = columns.replace(/(\w+)/g, "d.$1").replace(
    "d.next_attempt_at",
    `CASE WHEN EXISTS (SELECT 1 FROM webhooks x WHERE x.id = d.webhook_id
         AND x.disabled_at IS NOT NULL) THEN ${PARKED_MS} ELSE d.next_attempt_at END`,
  );
  return `INSERT INTO deliveries (id, watcher_id, ${columns})
    SELECT d.id, $${watcher}, ${values}
    FROM unnest(${[0, 1, 2, 3, 4, 5, 6].map((i) => p(i, "text")).join(", ")},
      ${[7, 8, 9].map((i) => p(i, "bigint")).join(", ")},
      ${[10, 11, 12].map((i) => p(i, "text")).join(", ")}, ${p(13, "int")}, ${p(14, "text")},
      ${p(15, "bigint")})
      AS d(id, ${columns})`;
}

/**
 * Writes a watcher's outbox rows in one statement, one column array each: a notified watcher's
 * deliveries (PostgresWatcherRepo) and redeliveries (PostgresRedeliveryRepo) alike.
 */
export async function insertOutbox(
  tx: Queryable,
  watcherId: string,
  deliveries: readonly Delivery[],
): Promise<void> {
  if (deliveries.length === 0) return;
  await tx.run(insertDeliveries(1, 17), [...deliveryColumns(deliveries), watcherId]);
}

/** The outbox rows as one array per column, for insertDeliveries. */
export function deliveryColumns(deliveries: readonly Delivery[]): unknown[][] {
  const column = <V>(f: (d: Delivery) => V): V[] => deliveries.map(f);
  return [
    column((d) => d.id),
    column((d) => d.triggerId),
    column((d) => d.url),
    column((d) => d.destination),
    column((d) => d.body),
    column((d) => d.contentType),
    column((d) => d.secret ?? null),
    column((d) => d.deadlineAt.getTime()),
    column((d) => d.nextAttemptAt.getTime()),
    column((d) => d.createdAt.getTime()),
    ...deliveryExtras(deliveries),
  ];
}

// A PENDING watcher's Job finished: the watcher, its deliveries and the labels owed, in one
// statement; nothing is written unless the watcher was still PENDING.
export const NOTIFY = `
  WITH w AS (
    UPDATE watchers SET status = $1, job_outcome = $2, reason = $3, message = '',
      deadline_at = NULL, bind_by = NULL, updated_at = $4
    WHERE id = $5 AND status = 'PENDING' RETURNING id),
  d AS (
    ${insertDeliveries(6, 5)}
    WHERE EXISTS (SELECT 1 FROM w)),
  l AS (
    INSERT INTO job_labels (job_uid, namespace, name, due_at)
    SELECT l.uid, l.namespace, l.name, $4
    FROM unnest($22::text[], $23::text[], $24::text[]) AS l(uid, namespace, name)
    WHERE EXISTS (SELECT 1 FROM w)
    ON CONFLICT (job_uid) DO NOTHING)
  SELECT COUNT(*)::int AS n FROM w`;

// RECORD_ATTEMPT's row in the attempt log ($16 to $30, attemptValues' order), when it has one.
const LOG_ATTEMPT = `a AS (
    INSERT INTO attempts (${ATTEMPT_COLUMNS})
    SELECT $16::text, $17::text, $18::text, $19::text, $20::bigint, $21::int, $22::text, $23::int,
      $24::text, $25::text, $26::text, $27::text, $28::text, $29::bigint, $30::int
    WHERE $16::text IS NOT NULL AND EXISTS (SELECT 1 FROM d))`;

// An attempt's result ($1 retry at, or null: final). The watcher's status changes only from
// PROCESSING; a final result without a new status still marks it updated. A final result keeps
// the delivery's message ($14 delivered) as its row goes. A redelivery ($15) counts one more
// attempt on its trigger and, when final, sets its status whatever it was. With a webhook ($31),
// the attempt ($32: it was a 2xx) counts for its health (AttemptChanges.health; SQLite's
// recordHealth says the same): h decides on the webhook's row, locked; an attempt that disables
// it parks its outbox rows, and a retry of a webhook disabled already is parked too. `disabled`
// is 1 when this attempt disabled it.
export const RECORD_ATTEMPT = `
  WITH h AS (
    SELECT id,
      CASE WHEN $32::boolean THEN NULL ELSE COALESCE(failing_since, $6::bigint) END AS failing,
      disabled_at IS NOT NULL AS was_disabled,
      NOT $32::boolean AND disabled_at IS NULL AND $33::bigint > 0
        AND COALESCE(failing_since, $6::bigint) <= $9::bigint - $33::bigint AS disable
    FROM webhooks WHERE id = $31::text FOR UPDATE),
  retried AS (
    UPDATE deliveries SET attempts = $2, claimed_until = NULL, next_attempt_at =
      CASE WHEN EXISTS (SELECT 1 FROM h WHERE was_disabled OR disable) THEN ${PARKED_MS}
      ELSE $1 END
    WHERE id = $3 AND $1::bigint IS NOT NULL RETURNING id),
  done AS (
    DELETE FROM deliveries WHERE id = $3 AND $1::bigint IS NULL
    RETURNING id, trigger_id, watcher_id, webhook_id, body, content_type, headers, created_at),
  d AS (SELECT id FROM retried UNION ALL SELECT id FROM done),
  kept AS (
    INSERT INTO messages (id, trigger_id, watcher_id, webhook_id, body, content_type, headers,
      created_at, ended_at, delivered)
    SELECT id, trigger_id, watcher_id, webhook_id, body, content_type, headers, created_at, $9,
      $14::int
    FROM done
    ON CONFLICT (id) DO UPDATE SET ended_at = EXCLUDED.ended_at, delivered = EXCLUDED.delivered),
  t AS (
    UPDATE triggers SET
      status = CASE WHEN $15::boolean AND $1::bigint IS NOT NULL THEN status ELSE $4 END,
      attempts = CASE WHEN $15::boolean THEN attempts + 1 ELSE $2 END,
      last_error = $5, called_at = $6
    WHERE id = $7 AND ($15::boolean OR status = 'NOT_CALLED') AND EXISTS (SELECT 1 FROM d)),
  w AS (
    UPDATE watchers SET status = COALESCE($8::text, status), updated_at = $9
    WHERE id = $10 AND EXISTS (SELECT 1 FROM d)
      AND CASE WHEN $8::text IS NOT NULL THEN status = 'PROCESSING' ELSE $1::bigint IS NULL END),
  l AS (
    INSERT INTO job_labels (job_uid, namespace, name, due_at)
    SELECT $11, $12, $13, $9 WHERE $11::text IS NOT NULL AND EXISTS (SELECT 1 FROM d)
    ON CONFLICT (job_uid) DO NOTHING),
  hw AS (
    UPDATE webhooks x SET failing_since = h.failing,
      disabled_at = CASE WHEN h.disable THEN $9 ELSE x.disabled_at END
    FROM h WHERE x.id = h.id AND EXISTS (SELECT 1 FROM d)
      AND (h.disable OR h.failing IS DISTINCT FROM x.failing_since) RETURNING h.disable),
  parked AS (
    UPDATE deliveries SET next_attempt_at = ${PARKED_MS}
    WHERE webhook_id = $31 AND id <> $3 AND EXISTS (SELECT 1 FROM hw WHERE disable)),
  ${LOG_ATTEMPT}
  SELECT COUNT(*)::int AS n, (SELECT COUNT(*) FROM hw WHERE disable)::int AS disabled FROM d`;

/** NOTIFY's values: the change, its deliveries column by column, and the labels owed. */
export function notifyValues(
  n: Extract<WatcherChange, { kind: "notify" }>,
  c: WatcherChanges,
): unknown[] {
  return [
    n.status,
    n.outcome,
    Reason.JOB_FINISHED,
    c.at.getTime(),
    n.id,
    ...deliveryColumns(n.deliveries),
    c.labels.map((l) => l.uid),
    c.labels.map((l) => l.namespace),
    c.labels.map((l) => l.name),
  ];
}

/** RECORD_ATTEMPT's values. */
export function recordAttemptValues(c: AttemptChanges): unknown[] {
  const r = c.record;
  return [
    c.retryAt?.getTime() ?? null,
    r.attempts,
    c.deliveryId,
    r.status,
    r.lastError,
    r.calledAt.getTime(),
    c.triggerId,
    c.watcherStatus ?? null,
    c.at.getTime(),
    c.watcherId,
    c.label?.uid ?? null,
    c.label?.namespace ?? null,
    c.label?.name ?? null,
    ...redeliveryValues(c),
    ...logValues(c),
    ...healthValues(c),
  ];
}

// $31 to $33: the webhook whose health the attempt counts for (null: none), 2xx, --disable-after.
function healthValues(c: AttemptChanges): unknown[] {
  return [
    c.health?.webhookId ?? null,
    c.record.status === TriggerStatus.CALLED,
    c.health?.disableAfterMs ?? 0,
  ];
}

// $14 the message ends delivered (1) or not (0), $15 the attempt is a redelivery's.
function redeliveryValues(c: AttemptChanges): [number, boolean] {
  const delivered = !c.retryAt && c.record.status === TriggerStatus.CALLED;
  return [delivered ? 1 : 0, c.redelivery === true];
}

// LOG_ATTEMPT's values: all null when the attempt writes no row.
function logValues(c: AttemptChanges): unknown[] {
  return c.log ? attemptValues(c.log) : ATTEMPT_COLUMNS.split(",").map(() => null);
}
