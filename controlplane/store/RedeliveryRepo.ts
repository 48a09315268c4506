import type { Delivery } from "../watchers/model.js";

/** A message kept after its delivery ended, with what sending it again needs of its trigger. */
export interface KeptMessage {
  /** The delivery's id, so its webhook-id. */
  id: string;
  triggerId: string;
  watcherId: string;
  webhookId: string;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  /** The trigger's bound; 0: the controlplane's default. */
  timeoutSeconds: number;
}

/**
 * The outbox row that sends a kept message again, as the caller decided it
 * (watchers/redeliveryOf: the webhook as it is now, due now, its deadline).
 */
export type Resend = (m: KeptMessage) => Delivery;

/** Why a trigger cannot be sent again now. */
export type RedeliveryRefusal =
  /** No trigger of that id. */
  | "unknown-trigger"
  /** Its delivery is still in the outbox: being delivered, or waiting for its next attempt. */
  | "in-flight"
  /** No message was kept: it was never sent (its watcher ended first), or it was pruned. */
  | "no-message"
  /** Its webhook was deleted. */
  | "webhook-deleted";

export type Redelivery = { kind: "queued"; delivery: Delivery } | { kind: RedeliveryRefusal };

/**
 * Sends ended deliveries again from the messages kept of them (`messages`, written when a
 * delivery ends): each call re-queues outbox rows in one transaction. The row keeps its message
 * (id, so the webhook-id; body, headers) and takes the webhook as it is now (url, secrets);
 * recording its attempts settles its trigger, never its watcher (Delivery.redelivery). The
 * caller makes the rows (Resend), the store finds the messages and writes them.
 */
export interface RedeliveryRepo {
  /**
   * Queues the latest message kept of `triggerId` again, as `resend` makes its row; refused when
   * the trigger is unknown or in the outbox, no message was kept, or its webhook is deleted.
   */
  redeliver(triggerId: string, resend: Resend): Promise<Redelivery>;
  /**
   * Queues again, as `resend` makes their rows, the messages to `webhookId` that did not reach it
   * and ended at or after `since`: the latest one of each trigger that did not end CALLED and is
   * not in the outbox. Answers how many; none when the webhook is deleted.
   */
  recover(webhookId: string, since: Date, resend: Resend): Promise<number>;
}
