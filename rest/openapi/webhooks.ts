// The webhooks' part of the REST API's document (document.ts): their paths and schemas.
import { LIMITS } from "../../contract/limits.js";
import { pageHeaders, pageParameters } from "./lists.js";
import { idParam, json, problems, ref, webhookSecret, webhookUrl } from "./parts.js";

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
        "Refused with 409 while a watcher that has not ended (PENDING, PROCESSING) names the webhook; the detail lists them. Then 404 to GET and DELETE, absent from lists, and 404 when a new watcher names it; ended watchers keep their triggers.",
      parameters: [idParam],
      responses: {
        "204": { description: "deleted" },
        ...problems(400, 401, 403, 404, 409, 503),
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
      secret: {
        ...webhookSecret,
        description:
          "Standard Webhooks secret (whsec_ + base64 of 24 to 64 bytes): deliveries are signed. Write-only.",
      },
      id: { readOnly: true },
      createdAt: { readOnly: true },
    },
    additionalProperties: false,
  },
  Webhook: {
    type: "object",
    required: ["id", "url", "requestBody", "description", "createdAt", "signed"],
    properties: {
      id: { type: "string" },
      url: { type: "string" },
      requestBody: { type: "string" },
      description: { type: "string" },
      createdAt: dateTime,
      signed: { type: "boolean", description: "deliveries carry webhook-signature" },
    },
    additionalProperties: false,
  },
} as const;
