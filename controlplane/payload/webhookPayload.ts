import type { FieldViolation } from "../../contract/errors.js";
import type { WebhookPayload } from "../../contract/model.js";
import { checkPayload, type PayloadSpec } from "./templates.js";

/** A webhook's payload options as the template module reads them (body, headers, cloudEvents). */
export function payloadSpecOf(p: WebhookPayload): PayloadSpec | undefined {
  if (p.bodyTemplate === undefined && !p.headers && !p.cloudEvents) return undefined;
  return {
    ...(p.bodyTemplate !== undefined && { body: p.bodyTemplate }),
    ...(p.headers && { headers: p.headers }),
    ...(p.cloudEvents && { cloudEvents: p.cloudEvents }),
  };
}

/**
 * What is wrong with a webhook's payload options, fields named `body` and `headers.<Name>`:
 * the one check for webhooks made through the API and for Webhook objects.
 */
export function checkWebhookPayload(p: WebhookPayload): FieldViolation[] {
  const spec = payloadSpecOf(p);
  return spec ? checkPayload(spec) : [];
}
