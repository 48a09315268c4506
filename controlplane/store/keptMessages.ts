import type { KeptMessage } from "./RedeliveryRepo.js";

// The messages kept of ended deliveries (`messages`), as both engines read them for a redelivery.

export interface KeptMessageRow {
  id: string;
  trigger_id: string;
  watcher_id: string;
  webhook_id: string;
  body: string;
  content_type: string;
  headers: string | null;
  timeout_seconds: number;
}

/** The columns a KeptMessageRow is read from: `m` the message, `t` its trigger. */
export const KEPT_MESSAGE_COLUMNS = `m.id, m.trigger_id, m.watcher_id, m.webhook_id, m.body,
  m.content_type, m.headers, t.timeout_seconds`;

/**
 * The latest message of each trigger (ties: the greatest id), as a condition on `m`: a trigger's
 * redeliveries keep its one message id, so this is nearly always its only one.
 */
export const LATEST_OF_TRIGGER = `NOT EXISTS (SELECT 1 FROM messages n
  WHERE n.trigger_id = m.trigger_id
    AND (n.ended_at > m.ended_at OR (n.ended_at = m.ended_at AND n.id > m.id)))`;

/**
 * What recover() sends again to a webhook: its undelivered messages ended since a time, the
 * latest of each trigger, whose trigger did not end CALLED and has no outbox row. The outbox is
 * looked up by watcher (its index), then trigger.
 */
export function recoverable(webhook: string, since: string): string {
  return `SELECT ${KEPT_MESSAGE_COLUMNS}
    FROM messages m JOIN triggers t ON t.id = m.trigger_id
    WHERE m.webhook_id = ${webhook} AND m.delivered = 0 AND m.ended_at >= ${since}
      AND t.status <> 'CALLED' AND ${LATEST_OF_TRIGGER}
      AND NOT EXISTS (SELECT 1 FROM deliveries d
        WHERE d.watcher_id = m.watcher_id AND d.trigger_id = m.trigger_id)
    ORDER BY m.ended_at, m.id`;
}

export function toKeptMessage(r: KeptMessageRow): KeptMessage {
  return {
    id: r.id,
    triggerId: r.trigger_id,
    watcherId: r.watcher_id,
    webhookId: r.webhook_id,
    body: r.body,
    contentType: r.content_type,
    ...(r.headers !== null && { headers: JSON.parse(r.headers) as Record<string, string> }),
    timeoutSeconds: r.timeout_seconds,
  };
}
