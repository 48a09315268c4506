import { destinationOf, signingOf } from "./buildDeliveries.js";
import type { KeptMessage } from "../store/RedeliveryRepo.js";
import { PARKED_MS, type Delivery, type Webhook } from "./model.js";

/**
 * The outbox row that sends `m` again: the same message (webhook-id, body, headers), to the
 * webhook as it is now (its url, and its secrets: a rotated secret signs it), due now and bound
 * as a first delivery is. Standard Webhooks' id names the message, not the attempt, so a
 * receiver that deduplicates takes it for the message it has (docs/watchers-and-deliveries.md).
 */
export function redeliveryOf(
  m: KeptMessage,
  webhook: Webhook,
  at: { now: Date; defaultTimeoutMs: number },
): Delivery {
  const timeoutMs = m.timeoutSeconds > 0 ? m.timeoutSeconds * 1000 : at.defaultTimeoutMs;
  return {
    id: m.id,
    triggerId: m.triggerId,
    watcherId: m.watcherId,
    webhookId: m.webhookId,
    url: webhook.url,
    destination: destinationOf(webhook.url),
    body: m.body,
    contentType: m.contentType,
    ...(m.headers && { headers: m.headers }),
    ...signingOf(webhook, at.now),
    deadlineAt: new Date(at.now.getTime() + timeoutMs),
    // A disabled webhook's deliveries wait, parked, until it is enabled.
    nextAttemptAt: webhook.disabledAt ? new Date(PARKED_MS) : at.now,
    attempts: 0,
    createdAt: at.now,
    redelivery: true,
  };
}
