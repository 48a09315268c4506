// The webhooks' part of the REST API's document (document.ts): their paths and schemas.
import { LIMITS } from "../../contract/limits.js";
import { pageHeaders, pageParameters } from "./lists.js";
import {
  cloudEventsMode,
  idParam,
  json,
  problems,
  ref,
  webhookHeaders,
  webhookSecret,
  webhookUrl,
} from "./parts.js";

const dateTime = { type: "string", format: "date-time" } as const;

export const webhookPaths = {
  "/webhooks": {
    post: {
      operationId: "createWebhook",
      requestBody: { required: true, content: json(ref("WebhookCreate")) },
      responses: {
        "201": { description: "created", content: json(ref("Webhook")) },
        ...problems(400, 401, 403, 413, 415, 503),
      },
    },
    get: {
      operationId: "listWebhooks",
      parameters: [...pageParameters],
      responses: {
        "200": {
          description: "webhooks, oldest first: every one, or a page with limit",
          headers: pageHeaders,
          content: json({ type: "array", items: ref("Webhook") }),
        },
        ...problems(400, 401, 403, 503),
      },
    },
  },
  "/webhooks/{id}": {
    get: {
      operationId: "getWebhook",
      parameters: [idParam],
      responses: {
        "200": { description: "the webhook", content: json(ref("Webhook")) },
        ...problems(400, 401, 403, 404, 503),
      },
    },
    delete: {
      operationId: "deleteWebhook",
      description:
        "Refused with 409 while a watcher that has not ended (PENDING, PROCESSING) names the webhook; the detail lists them. Then 404 to GET and DELETE, absent from lists, and 404 when a new watcher names it; ended watchers keep their triggers. A readOnly webhook (mirrored from a Webhook or ClusterWebhook object, see source) is refused with 409: change or delete its object with kubectl.",
      parameters: [idParam],
      responses: {
        "204": { description: "deleted" },
        ...problems(400, 401, 403, 404, [
          409,
          "open watchers name the webhook, or it is readOnly: mirrored from a Webhook or ClusterWebhook object, which kubectl changes and deletes",
        ]),
      },
    },
  },
  "/webhooks/{id}/recover": {
    post: {
      operationId: "recoverWebhook",
      description:
        "Sends again every delivery to the webhook that ended without reaching it (FAILED or TIMEOUT) at or after `since` and is not being delivered now: the latest message of each such trigger, with its first webhook-id. Deliveries that reached it, and those older than --delivery-retention, are not sent. Answers how many were queued; they go out after.",
      parameters: [idParam],
      requestBody: { required: true, content: json(ref("WebhookRecover")) },
      responses: {
        "202": { description: "queued", content: json(ref("WebhookRecovery")) },
        ...problems(
          [
            400,
            "malformed request, or `since` missing, not an RFC 3339 time, or in the future; `errors` names it",
          ],
          401,
          403,
          404,
          413,
          415,
          503,
        ),
      },
    },
  },
  "/webhooks/{id}/enable": {
    post: {
      operationId: "enableWebhook",
      description:
        "Enables a webhook disabled after failing without a success for the controlplane's --disable-after: the deliveries that waited go out at once, each with at least the default delivery timeout left. A webhook that is not disabled is answered unchanged.",
      parameters: [idParam],
      responses: {
        "200": { description: "the webhook, enabled", content: json(ref("Webhook")) },
        ...problems(400, 401, 403, 404, 503),
      },
    },
  },
  "/webhooks/{id}/rotate-secret": {
    post: {
      operationId: "rotateWebhookSecret",
      description:
        "Gives the webhook a new signing secret. The current one keeps signing beside it (webhook-signature carries both, space-separated) until previousSecretExpiresAt; an older previous secret is dropped. Deliveries still owed sign the new way from their next attempt. A readOnly webhook is refused with 409: its secret is its Secret's (docs/webhooks.md says how to rotate that).",
      parameters: [idParam],
      requestBody: { required: true, content: json(ref("WebhookSecretRotation")) },
      responses: {
        "200": { description: "the webhook, with its new secret", content: json(ref("Webhook")) },
        ...problems(
          400,
          401,
          403,
          404,
          [409, "readOnly: its secret is its Secret's"],
          413,
          415,
          503,
        ),
      },
    },
  },
} as const;

export const webhookSchemas = {
  WebhookCreate: {
    type: "object",
    required: ["url"],
    examples: [{ url: "https://example.com/hooks/job-done", description: "team chat" }],
    properties: {
      url: { ...webhookUrl, description: "Where deliveries are POSTed." },
      requestBody: {
        type: "string",
        description:
          "Sent verbatim; empty or absent: a JSON event describing the Job. At most 1 MiB of UTF-8, and the whole request too (413).",
      },
      description: { type: "string", maxLength: LIMITS.descriptionLength },
      bodyTemplate: {
        type: "string",
        maxLength: LIMITS.bodyTemplateLength,
        description:
          "A Liquid template rendered over the event (job, webhook, watcher, event) as the body, instead of requestBody: a webhook has at most one of the two. One that does not parse is refused (400).",
      },
      headers: {
        ...webhookHeaders,
        description:
          "Extra headers of each delivery; each value a Liquid template over the event, like bodyTemplate.",
      },
      cloudEvents: {
        type: "object",
        description: "Present: deliveries are CloudEvents 1.0 events.",
        properties: { mode: { ...cloudEventsMode, default: "Binary" } },
        additionalProperties: false,
      },
      secret: {
        ...webhookSecret,
        description:
          "Standard Webhooks secret (whsec_ + base64 of 24 to 64 bytes): deliveries are signed. Write-only.",
      },
      id: { readOnly: true },
      createdAt: { readOnly: true },
    },
    // requestBody is sent as it is and bodyTemplate rendered: a webhook has one or neither.
    if: { required: ["requestBody"], properties: { requestBody: { minLength: 1 } } },
    then: {
      properties: {
        bodyTemplate: {
          not: { minLength: 1 },
          "x-rule": "cannot be given with requestBody: give one",
        },
      },
    },
    additionalProperties: false,
  },
  Webhook: {
    type: "object",
    required: [
      "id",
      "url",
      "requestBody",
      "description",
      "createdAt",
      "signed",
      "readOnly",
      "disabled",
    ],
    properties: {
      id: { type: "string" },
      url: { type: "string" },
      requestBody: { type: "string" },
      description: { type: "string" },
      createdAt: dateTime,
      signed: {
        type: "boolean",
        description:
          "deliveries carry webhook-signature (the webhook's secret, or for a mirrored one its Secret's)",
      },
      readOnly: {
        type: "boolean",
        description:
          "mirrors a Webhook or ClusterWebhook object (source): change or delete it with kubectl; DELETE answers 409",
      },
      source: ref("WebhookSource"),
      disabled: {
        type: "boolean",
        description:
          "disabled after failing without a success for the controlplane's --disable-after: its deliveries wait until POST /webhooks/{id}/enable",
      },
      disabledAt: { ...dateTime, description: "when it was disabled" },
      failingSince: {
        ...dateTime,
        description:
          "its first failed attempt since its last success; absent while its last one succeeded",
      },
      previousSecretExpiresAt: {
        ...dateTime,
        description: "after a rotation, when the previous secret stops signing beside the new one",
      },
      bodyTemplate: { type: "string" },
      headers: { type: "object", additionalProperties: { type: "string" } },
      cloudEvents: {
        type: "object",
        required: ["mode"],
        properties: { mode: cloudEventsMode },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  WebhookRecover: {
    type: "object",
    required: ["since"],
    examples: [{ since: "2026-01-01T00:00:00Z" }],
    properties: {
      since: {
        ...dateTime,
        description:
          "Deliveries that ended at or after this time are sent again; not in the future.",
        "x-rule": "must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z",
      },
    },
    additionalProperties: false,
  },
  WebhookSecretRotation: {
    type: "object",
    required: ["secret"],
    examples: [
      { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", previousExpiresInSeconds: 86400 },
    ],
    properties: {
      secret: {
        ...webhookSecret,
        description:
          "The new Standard Webhooks secret (whsec_ + base64 of 24 to 64 bytes). Write-only.",
      },
      previousExpiresInSeconds: {
        type: "integer",
        minimum: 0,
        maximum: LIMITS.previousSecretSeconds,
        default: LIMITS.defaultPreviousSecretSeconds,
        description:
          "How long the current secret keeps signing beside the new one (at most 30 days); 0 drops it at once.",
      },
    },
    additionalProperties: false,
  },
  WebhookRecovery: {
    type: "object",
    required: ["queued"],
    properties: {
      queued: { type: "integer", minimum: 0, description: "deliveries queued again" },
    },
    additionalProperties: false,
  },
  WebhookSource: {
    type: "object",
    description: "The jobhooks.dev object a webhook mirrors.",
    required: ["kind", "namespace", "name"],
    properties: {
      kind: { type: "string", enum: ["Webhook", "ClusterWebhook"] },
      namespace: { type: "string", description: "Empty for a ClusterWebhook." },
      name: { type: "string" },
    },
    additionalProperties: false,
  },
} as const;
