import { randomUUID } from "node:crypto";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import { deliveryBody } from "./eventBody.js";
import type { Delivery, Outcome, Watcher, Webhook } from "./model.js";

export interface DeliveryContext {
  job: JobSummary;
  outcome: Outcome;
  /** When the Job reached its outcome. */
  at: Date;
  now: Date;
  /** Bound of a delivery whose trigger has timeoutSeconds 0. */
  defaultTimeoutMs: number;
}

/** Where a delivery goes, for sharing the slots: the URL's origin, or the URL if it has none. */
export function destinationOf(url: string): string {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? url : origin;
  } catch {
    return url;
  }
}

/** The outbox rows a notifying watcher owes: one per trigger, due now, each with its deadline. */
export function buildDeliveries(
  w: Watcher,
  webhookOf: (id: string) => Webhook | undefined,
  c: DeliveryContext,
): Delivery[] {
  return w.triggers.map((t): Delivery => {
    const webhook = webhookOf(t.webhookId);
    if (!webhook) throw new Error(`trigger ${t.id} names missing webhook ${t.webhookId}`);
    const timeoutMs = t.timeoutSeconds > 0 ? t.timeoutSeconds * 1000 : c.defaultTimeoutMs;
    return {
      // The webhook-id header: a Standard Webhooks message id, kept across retries and restarts.
      id: `msg_${randomUUID().replace(/-/g, "")}`,
      triggerId: t.id,
      watcherId: w.id,
      url: webhook.url,
      destination: destinationOf(webhook.url),
      ...deliveryBody(webhook, w, t, { summary: c.job, outcome: c.outcome, at: c.at }),
      secret: webhook.secret,
      deadlineAt: new Date(c.now.getTime() + timeoutMs),
      nextAttemptAt: c.now,
      attempts: 0,
      createdAt: c.now,
    };
  });
}
