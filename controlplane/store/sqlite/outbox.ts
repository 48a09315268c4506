import type { Statement } from "better-sqlite3";
import { PARKED_MS, type Delivery } from "../../watchers/model.js";
import { deliveryExtras } from "../rows.js";

/**
 * Writes outbox rows: a notified watcher's deliveries (SqliteWatcherRepo) and redeliveries
 * (SqliteRedeliveryRepo) alike, so every row is written the same way. A row for a webhook that
 * is disabled (perhaps since the row was built) is parked with its others.
 */
export function insertOutbox(q: (sql: string) => Statement, deliveries: readonly Delivery[]): void {
  const insert = q(
    `INSERT INTO deliveries (id, trigger_id, watcher_id, url, destination, body, content_type,
       secret, deadline_at, next_attempt_at, created_at, headers, secret_ref, webhook_id,
       redelivery, previous_secret, previous_secret_expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,
       CASE WHEN EXISTS (SELECT 1 FROM webhooks WHERE id = ? AND disabled_at IS NOT NULL)
         THEN ${PARKED_MS} ELSE ? END,
       ?, ?, ?, ?, ?, ?, ?)`,
  );
  const extras = deliveryExtras(deliveries);
  deliveries.forEach((d, i) => {
    insert.run(
      d.id,
      d.triggerId,
      d.watcherId,
      d.url,
      d.destination,
      d.body,
      d.contentType,
      d.secret ?? null,
      d.deadlineAt.getTime(),
      d.webhookId,
      d.nextAttemptAt.getTime(),
      d.createdAt.getTime(),
      ...extras.map((column) => column[i] ?? null),
    );
  });
}

/**
 * An ended delivery's message, kept to be sent again (RedeliveryRepo): copied from its outbox row
 * before the row goes. A redelivery ends the same message again: it takes the new end.
 * Values: ended_at, delivered (1 or 0), the delivery's id.
 */
export const KEEP_MESSAGE = `
  INSERT INTO messages (id, trigger_id, watcher_id, webhook_id, body, content_type, headers,
    created_at, ended_at, delivered)
  SELECT id, trigger_id, watcher_id, webhook_id, body, content_type, headers, created_at, ?, ?
  FROM deliveries WHERE id = ?
  ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, delivered = excluded.delivered`;
