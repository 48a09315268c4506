// The attempt log's part of the REST API's document (document.ts): a watcher's delivery attempts.
import { pageHeaders, pageParameters } from "./lists.js";
import { idParam, json, problems, ref } from "./parts.js";

const dateTime = { type: "string", format: "date-time" } as const;

export const deliveryPaths = {
  "/job-done-watchers/{id}/deliveries": {
    get: {
      operationId: "listJobDoneWatcherDeliveries",
      description:
        "The watcher's delivery attempts, oldest first: every attempt of each of its triggers' webhooks, kept for the controlplane's --delivery-retention (7 days by default). Read with the same right as the watcher.",
      parameters: [idParam, ...pageParameters],
      responses: {
        "200": {
          description: "the attempts, oldest first: every one, or a page with limit",
          headers: pageHeaders,
          content: json({ type: "array", items: ref("DeliveryAttempt") }),
        },
        ...problems(400, 401, 403, [404, "no watcher of that id"], 503),
      },
    },
  },
} as const;

export const deliverySchemas = {
  DeliveryAttempt: {
    type: "object",
    required: [
      "id",
      "deliveryId",
      "triggerId",
      "webhookId",
      "startedAt",
      "durationMs",
      "host",
      "outcome",
      "redelivery",
    ],
    properties: {
      id: { type: "string", description: "The attempt's place in the log: larger for later ones." },
      deliveryId: { type: "string", description: "The delivery's webhook-id header." },
      triggerId: { type: "string" },
      webhookId: { type: "string" },
      startedAt: dateTime,
      durationMs: { type: "integer", minimum: 0 },
      host: {
        type: "string",
        description: "The URL's host, with its port when not the scheme's default.",
      },
      statusCode: {
        type: "integer",
        minimum: 100,
        maximum: 999,
        description: "The response's status; absent when none arrived.",
      },
      errorClass: ref("DeliveryErrorClass"),
      error: { type: "string", description: "What went wrong, for people; absent for a 2xx." },
      responseBody: {
        type: "string",
        description: "The response body's first 1 KiB as text, whatever the status.",
      },
      responseHeaders: {
        type: "object",
        additionalProperties: { type: "string" },
        description:
          "The response's content-type, content-length, retry-after, location, server and date, when sent; each value at most 200 characters.",
      },
      outcome: ref("DeliveryAttemptOutcome"),
      nextAttemptAt: { ...dateTime, description: "For a retry: when the next attempt is due." },
      redelivery: {
        type: "boolean",
        description: "The delivery was a redelivery asked for through the API.",
      },
    },
    additionalProperties: false,
  },
  DeliveryErrorClass: {
    type: "string",
    description:
      "Why the attempt did not succeed (absent for a 2xx): timeout, refused (refused, reset or closed), tls, dns, egress_denied (--deny-destinations; nothing was sent), network (another failure before a response), http (a status other than 2xx), secret (the signing Secret could not be read; nothing was sent), deadline (the delivery's deadline passed before it was due again; nothing was sent).",
    enum: [
      "timeout",
      "refused",
      "tls",
      "dns",
      "egress_denied",
      "network",
      "http",
      "secret",
      "deadline",
    ],
  },
  DeliveryAttemptOutcome: {
    type: "string",
    description:
      "What the attempt did to its delivery: retry (again at nextAttemptAt), delivered (CALLED), rejected (FAILED), timeout (no 2xx before the delivery's deadline: TIMEOUT).",
    enum: ["retry", "delivered", "rejected", "timeout"],
  },
} as const;
