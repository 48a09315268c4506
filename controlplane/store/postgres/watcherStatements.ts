import { Reason, type Delivery } from "../../watchers/model.js";
import { deliveryExtras } from "../rows.js";
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
  return `INSERT INTO deliveries (id, watcher_id, ${columns})
    SELECT d.id, $${watcher}, ${columns.replace(/(\w+)/g, "d.$1")}
    FROM unnest(${[0, 1, 2, 3, 4, 5, 6].map((i) => p(i, "text")).join(", ")},
      ${[7, 8, 9].map((i) => p(i, "bigint")).join(", ")},
      ${[10, 11, 12].map((i) => p(i, "text")).join(", ")}, ${p(13, "int")}, ${p(14, "text")},
      ${p(15, "bigint")})
      AS d(id, ${columns})`;
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

// RECORD_ATTEMPT's row in the attempt log, when it has one: its values (attemptValues' order)
// are the statement's last, from $LOG_FIRST on.
const LOG_FIRST = 14;
// The types of ATTEMPT_COLUMNS, in order.
const LOG_TYPES = "text text text text bigint int text int text text text text text bigint int"
  .split(" ")
  .map((type, i) => `$${LOG_FIRST + i}::${type}`);
const LOG_ATTEMPT = `a AS (
    INSERT INTO attempts (${ATTEMPT_COLUMNS})
    SELECT ${LOG_TYPES.join(", ")}
    WHERE $${LOG_FIRST}::text IS NOT NULL AND EXISTS (SELECT 1 FROM d))`;

// An attempt's result ($1 retry at, or null: final). The watcher's status changes only from
// PROCESSING; a final result without a new status still marks it updated.
export const RECORD_ATTEMPT = `
  WITH retried AS (
    UPDATE deliveries SET next_attempt_at = $1, attempts = $2, claimed_until = NULL
    WHERE id = $3 AND $1::bigint IS NOT NULL RETURNING id),
  done AS (DELETE FROM deliveries WHERE id = $3 AND $1::bigint IS NULL RETURNING id),
  d AS (SELECT id FROM retried UNION ALL SELECT id FROM done),
  t AS (
    UPDATE triggers SET status = $4, attempts = $2, last_error = $5, called_at = $6
    WHERE id = $7 AND status = 'NOT_CALLED' AND EXISTS (SELECT 1 FROM d)),
  w AS (
    UPDATE watchers SET status = COALESCE($8::text, status), updated_at = $9
    WHERE id = $10 AND EXISTS (SELECT 1 FROM d)
      AND CASE WHEN $8::text IS NOT NULL THEN status = 'PROCESSING' ELSE $1::bigint IS NULL END),
  l AS (
    INSERT INTO job_labels (job_uid, namespace, name, due_at)
    SELECT $11, $12, $13, $9 WHERE $11::text IS NOT NULL AND EXISTS (SELECT 1 FROM d)
    ON CONFLICT (job_uid) DO NOTHING),
  ${LOG_ATTEMPT}
  SELECT COUNT(*)::int AS n FROM d`;

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
    ...logValues(c),
  ];
}

// LOG_ATTEMPT's values (from $LOG_FIRST): all null when the attempt writes no row.
function logValues(c: AttemptChanges): unknown[] {
  return c.log ? attemptValues(c.log) : ATTEMPT_COLUMNS.split(",").map(() => null);
}
