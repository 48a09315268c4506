import type { AttemptOutcome, DeliveryAttempt, ErrorClass } from "../../contract/model.js";
import type { AttemptLogEntry } from "./WatcherRepo.js";

/** The columns of `attempts` an attempt's row is written with, in ATTEMPT_COLUMNS' order. */
export const ATTEMPT_COLUMNS = `delivery_id, trigger_id, watcher_id, webhook_id, started_at,
  duration_ms, host, status_code, error_class, error, response_prefix, response_headers, outcome,
  next_attempt_at, redelivery`;

/** An `attempts` row as both engines read it (times in ms since the epoch). */
export interface AttemptRow {
  id: number | string;
  delivery_id: string;
  trigger_id: string;
  watcher_id: string;
  webhook_id: string;
  started_at: number | string;
  duration_ms: number;
  host: string;
  status_code: number | null;
  error_class: string;
  error: string;
  response_prefix: string;
  response_headers: string | null;
  outcome: string;
  next_attempt_at: number | string | null;
  redelivery: number;
}

/** The values of ATTEMPT_COLUMNS for one entry. */
export function attemptValues(e: AttemptLogEntry): unknown[] {
  const headers = Object.keys(e.responseHeaders).length > 0 ? e.responseHeaders : undefined;
  return [
    e.deliveryId,
    e.triggerId,
    e.watcherId,
    e.webhookId,
    e.startedAt.getTime(),
    Math.max(0, Math.round(e.durationMs)),
    e.host,
    e.statusCode ?? null,
    e.errorClass ?? "",
    e.error,
    e.responseBody,
    headers ? JSON.stringify(headers) : null,
    e.outcome,
    e.nextAttemptAt?.getTime() ?? null,
    e.redelivery ? 1 : 0,
  ];
}

export function attemptFromRow(r: AttemptRow): DeliveryAttempt {
  return {
    id: String(r.id),
    deliveryId: r.delivery_id,
    triggerId: r.trigger_id,
    watcherId: r.watcher_id,
    webhookId: r.webhook_id,
    startedAt: new Date(Number(r.started_at)),
    durationMs: r.duration_ms,
    host: r.host,
    statusCode: r.status_code ?? undefined,
    errorClass: r.error_class === "" ? undefined : (r.error_class as ErrorClass),
    error: r.error,
    responseBody: r.response_prefix,
    responseHeaders: r.response_headers
      ? (JSON.parse(r.response_headers) as Record<string, string>)
      : {},
    outcome: r.outcome as AttemptOutcome,
    nextAttemptAt: r.next_attempt_at === null ? undefined : new Date(Number(r.next_attempt_at)),
    redelivery: r.redelivery !== 0,
  };
}
