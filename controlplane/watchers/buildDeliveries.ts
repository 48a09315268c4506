import { randomUUID } from "node:crypto";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import {
  compilePayload,
  payloadContext,
  payloadRequest,
  payloadSpecOf,
  type PayloadRequest,
} from "../payload/index.js";
import { deliveryBody } from "./eventBody.js";
import {
  PARKED_MS,
  type Delivery,
  type Outcome,
  type Trigger,
  type Watcher,
  type Webhook,
} from "./model.js";

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

/**
 * What signs a delivery to `webhook` written at `now`: its secret, the previous one while a
 * rotation's overlap lasts, or the Secret to read at each attempt. First deliveries and
 * redeliveries (redeliveryOf) alike.
 */
export function signingOf(
  webhook: Webhook,
  now: Date,
): Pick<Delivery, "secret" | "previousSecret" | "secretRef"> {
  const previous = webhook.previousSecret;
  const secretRef = webhook.options?.secretRef;
  return {
    secret: webhook.secret,
    ...(previous && previous.expiresAt > now && { previousSecret: previous }),
    ...(secretRef && { secretRef }),
  };
}

/**
 * The outbox rows a notifying watcher owes: one per trigger, due now (parked when its webhook is
 * disabled), each with its deadline.
 */
export function buildDeliveries(
  w: Watcher,
  webhookOf: (id: string) => Webhook | undefined,
  c: DeliveryContext,
): Delivery[] {
  return w.triggers.map((t): Delivery => {
    const webhook = webhookOf(t.webhookId);
    if (!webhook) throw new Error(`trigger ${t.id} names missing webhook ${t.webhookId}`);
    const timeoutMs = t.timeoutSeconds > 0 ? t.timeoutSeconds * 1000 : c.defaultTimeoutMs;
    // The webhook-id header: a Standard Webhooks message id, kept across retries and restarts.
    const id = `msg_${randomUUID().replace(/-/g, "")}`;
    const { headers, ...body } = shaped({ webhook, w, t, eventId: id }, c);
    return {
      id,
      triggerId: t.id,
      watcherId: w.id,
      webhookId: webhook.id,
      url: webhook.url,
      destination: destinationOf(webhook.url),
      ...body,
      ...(Object.keys(headers).length > 0 && { headers }),
      ...signingOf(webhook, c.now),
      deadlineAt: new Date(c.now.getTime() + timeoutMs),
      // A disabled webhook's deliveries wait, parked, until it is enabled.
      nextAttemptAt: webhook.disabledAt ? new Date(PARKED_MS) : c.now,
      attempts: 0,
      createdAt: c.now,
    };
  });
}

/**
 * The request a webhook is sent: the JSON event (or its verbatim requestBody), shaped by its
 * payload options when it has any (a body template, headers, CloudEvents). Rendered here, once,
 * so every retry sends the same bytes. A template that fails to render (past its time or size
 * limit; it parsed when the webhook was made) sends the JSON event and says why in a header.
 */
function shaped(
  { webhook, w, t, eventId }: { webhook: Webhook; w: Watcher; t: Trigger; eventId: string },
  c: DeliveryContext,
): PayloadRequest {
  const jsonEvent = deliveryBody(webhook, w, t, { summary: c.job, outcome: c.outcome, at: c.at });
  const spec = webhook.options && payloadSpecOf(webhook.options);
  if (!spec) return { ...jsonEvent, headers: {} };
  const context = payloadContext({
    job: c.job,
    outcome: c.outcome,
    webhook: templateName(webhook),
    watcherId: w.id,
    eventId,
    time: c.at,
  });
  try {
    return payloadRequest(compilePayload(spec), context, jsonEvent);
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/[^\x20-\x7e]/g, " ");
    return { ...jsonEvent, headers: { "jobhooks-payload-error": why.slice(0, 512) } };
  }
}

// What a template knows of its webhook: its object, or for one made through the API its id.
function templateName(webhook: Webhook): { kind: string; namespace: string; name: string } {
  return webhook.source ?? { kind: "", namespace: "", name: webhook.id };
}
