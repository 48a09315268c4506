import type { Redelivery, Resend } from "../store/RedeliveryRepo.js";
import type { Store } from "../store/Store.js";
import { NotFoundError, PreconditionError, ValidationError } from "./errors.js";
import type { Watcher, Webhook } from "./model.js";
import { redeliveryOf } from "./redeliveryOf.js";
import type { WatcherEvents } from "./WatcherEvents.js";

export interface RedeliveriesOptions {
  store: Store;
  /** Told of queued rows, which wakes the dispatcher. */
  events: WatcherEvents;
  /** Bound of a redelivery whose trigger has timeoutSeconds 0, as of a first delivery. */
  defaultDeliveryTimeoutMs: number;
  now?: () => Date;
}

/**
 * Sends ended deliveries again: one trigger's (redeliver), or every one a webhook missed since a
 * time (recover, Svix's "recover"). The message is the one first sent, webhook-id included: a
 * receiver that deduplicates on it takes the redelivery for the message it has
 * (docs/watchers-and-deliveries.md, "Sending again").
 */
export class Redeliveries {
  private readonly now: () => Date;

  constructor(private readonly o: RedeliveriesOptions) {
    this.now = o.now ?? ((): Date => new Date());
  }

  /** Queues `triggerId` of `w` again; answers the watcher. */
  async redeliver(w: Watcher, triggerId: string): Promise<Watcher> {
    const trigger = w.triggers.find((t) => t.id === triggerId);
    if (!trigger) throw new NotFoundError(`watcher ${w.id} has no trigger ${triggerId}`);
    const webhook = await this.o.store.webhooks.get(trigger.webhookId);
    const result: Redelivery = webhook
      ? await this.o.store.redeliveries.redeliver(triggerId, this.resend(webhook))
      : { kind: "webhook-deleted" };
    if (result.kind !== "queued") throw refusal(result.kind, w.id, triggerId);
    this.o.events.deliveriesQueued();
    return (await this.o.store.watchers.get(w.id)) ?? w;
  }

  /**
   * Queues again every delivery to the webhook `webhookId` that ended without reaching it at or
   * after `since` (and is not being delivered); answers how many.
   */
  async recover(webhookId: string, since: Date): Promise<number> {
    const now = this.now();
    if (Number.isNaN(since.getTime()) || since > now) {
      throw new ValidationError([
        { field: "since", description: "must be a time in the past (RFC 3339)" },
      ]);
    }
    const webhook = await this.o.store.webhooks.get(webhookId);
    if (!webhook) throw new NotFoundError(`webhook ${webhookId} not found`);
    const queued = await this.o.store.redeliveries.recover(webhookId, since, this.resend(webhook));
    if (queued > 0) this.o.events.deliveriesQueued();
    return queued;
  }

  private resend(webhook: Webhook): Resend {
    const at = { now: this.now(), defaultTimeoutMs: this.o.defaultDeliveryTimeoutMs };
    return (m) => redeliveryOf(m, webhook, at);
  }
}

function refusal(
  kind: Exclude<Redelivery["kind"], "queued">,
  watcherId: string,
  triggerId: string,
): Error {
  const subject = `jobdonewatchers/${watcherId}/triggers/${triggerId}`;
  const refused = (type: string, description: string): PreconditionError =>
    new PreconditionError(`trigger ${triggerId}: ${description}`, [{ type, subject, description }]);
  switch (kind) {
    case "unknown-trigger":
      return new NotFoundError(`watcher ${watcherId} has no trigger ${triggerId}`);
    case "in-flight":
      return refused(
        "DELIVERY_IN_PROGRESS",
        "its delivery is in progress (being sent or waiting to be retried); wait until it ends",
      );
    case "no-message":
      return refused(
        "NO_MESSAGE_KEPT",
        "no message of it is kept: it was never sent (its watcher ended first), or it ended longer ago than --delivery-retention",
      );
    case "webhook-deleted":
      return refused("WEBHOOK_DELETED", "its webhook was deleted");
  }
}
