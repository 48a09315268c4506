// The REST API, k8s-job-webhooks' wire format extended. This document is served at /openapi.json,
// its request schemas validate every request, and a test checks real responses against it.

import {
  dnsLabel,
  dnsSubdomain,
  idempotencyKey,
  idParam,
  json,
  problems,
  ref,
  seconds,
  webhookSecret,
  webhookUrl,
} from "./openapiParts.js";
import { pageHeaders, pageParameters } from "./openapiLists.js";

const dateTime = { type: "string", format: "date-time" } as const;
const nullableDateTime = { type: ["string", "null"], format: "date-time" } as const;

// pod-webhook-tracker's calls, for pods without a sidecar: the answer is the count, as plain text.
function counterOperation(operationId: string, summary: string): object {
  return {
    operationId,
    summary,
    description:
      "With --auth=tokenreview the caller's token must be bound to the pod it names (a pod counts for itself only).",
    parameters: [
      {
        name: "pod_name",
        in: "query",
        required: true,
        schema: dnsSubdomain,
        example: "worker-0",
      },
      { name: "namespace", in: "query", required: false, schema: dnsLabel },
    ],
    responses: {
      "200": {
        description: "the count after this call",
        content: { "text/plain": { schema: { type: "string", pattern: "^-?[0-9]+$" } } },
      },
      ...problems(400, 401, 403, 404, 503),
    },
  };
}

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "jobhooks REST API",
    version: "1",
    description:
      "Webhooks called when Kubernetes Jobs finish. Wire-compatible with k8s-job-webhooks; fields beyond it are additions. A method a path does not list is answered 405 with Allow. Request bodies may be sent with Content-Encoding gzip, deflate or br; they are read as UTF-8 JSON whatever their Content-Type.",
  },
  paths: {
    "/increment": { post: counterOperation("increment", "Adds one to the pod's counter label") },
    "/decrement": { post: counterOperation("decrement", "Takes one from the pod's counter label") },
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
    "/job-done-watchers": {
      post: {
        operationId: "createJobDoneWatcher",
        parameters: [
          {
            name: "Idempotency-Key",
            in: "header",
            required: false,
            description:
              "Any string up to 255 characters, scoped to the namespace: a repeat returns the first watcher.",
            schema: idempotencyKey,
            example: "nightly-report",
          },
        ],
        requestBody: { required: true, content: json(ref("JobDoneWatcherCreate")) },
        responses: {
          "201": {
            description:
              "created, or the watcher an earlier request with the same Idempotency-Key created",
            content: json(ref("JobDoneWatcher")),
          },
          ...problems(400, 401, 403, 404, 409, 413, 415, 503),
        },
      },
      get: {
        operationId: "listJobDoneWatchers",
        parameters: [
          { name: "jobName", in: "query", required: false, schema: dnsLabel },
          { name: "status", in: "query", required: false, schema: ref("JobDoneWatcherStatus") },
          { name: "namespace", in: "query", required: false, schema: dnsLabel },
          ...pageParameters,
        ],
        responses: {
          "200": {
            description: "matching watchers, oldest first: every one, or a page with limit",
            headers: pageHeaders,
            content: json({ type: "array", items: ref("JobDoneWatcher") }),
          },
          ...problems(400, 401, 403, 503),
        },
      },
    },
    "/job-done-watchers/{id}": {
      get: {
        operationId: "getJobDoneWatcher",
        parameters: [idParam],
        responses: {
          "200": { description: "the watcher", content: json(ref("JobDoneWatcher")) },
          ...problems(400, 401, 403, 404, 503),
        },
      },
    },
    "/job-done-watchers/{id}/cancel": {
      post: {
        operationId: "cancelJobDoneWatcher",
        parameters: [idParam],
        responses: {
          "200": { description: "the cancelled watcher", content: json(ref("JobDoneWatcher")) },
          ...problems(400, 401, 403, 404, 409, 503),
        },
      },
    },
  },
  components: {
    schemas: {
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
          description: { type: "string", maxLength: 1024 },
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
      JobDoneWatcherCreate: {
        type: "object",
        // The sidecar takes the same body without this: it defaults jobName to its own Job.
        oneOf: [{ required: ["jobName"] }, { required: ["cronJobName"] }],
        "x-rule": "exactly one of jobName and cronJobName is required",
        "x-field": "jobName",
        examples: [{ jobName: "nightly-report", notifyOn: ["SUCCEEDED", "FAILED"] }],
        properties: {
          jobName: { ...dnsLabel, description: "The Job to watch; or give cronJobName." },
          cronJobName: {
            ...dnsLabel,
            maxLength: 52,
            description: "Watch every Job this CronJob creates from now on.",
          },
          namespace: {
            ...dnsLabel,
            description:
              "Default: the caller's namespace, else the controlplane's --default-namespace.",
          },
          timeoutSeconds: {
            ...seconds,
            description: "Give up waiting for the Job after this long (TIMEOUT); 0: never.",
          },
          notifyOn: {
            type: "array",
            items: ref("JobOutcome"),
            uniqueItems: true,
            description: "Outcomes that call the webhooks; default [SUCCEEDED].",
          },
          jobDoneTriggerWebhooks: {
            type: "array",
            maxItems: 32,
            items: ref("JobDoneTriggerWebhookCreate"),
          },
          id: { readOnly: true },
          status: { readOnly: true },
          createdAt: { readOnly: true },
        },
        additionalProperties: false,
      },
      JobDoneTriggerWebhookCreate: {
        type: "object",
        required: ["webhookId"],
        properties: {
          webhookId: { type: "string", minLength: 1, maxLength: 255 },
          timeoutSeconds: {
            ...seconds,
            description:
              "Bound of the whole delivery, retries included; 0: the controlplane's default.",
          },
        },
        additionalProperties: false,
      },
      JobDoneWatcher: {
        type: "object",
        required: [
          "id",
          "namespace",
          "jobName",
          "cronJobName",
          "timeoutSeconds",
          "status",
          "reason",
          "message",
          "createdAt",
          "updatedAt",
          "jobUid",
          "jobOutcome",
          "notifyOn",
          "parentId",
          "jobDoneTriggerWebhooks",
        ],
        properties: {
          id: { type: "string" },
          namespace: { type: "string" },
          jobName: { type: "string" },
          cronJobName: { type: "string" },
          timeoutSeconds: { type: "integer", minimum: 0 },
          status: ref("JobDoneWatcherStatus"),
          reason: {
            type: "string",
            description:
              "Why the watcher has its status: JobFinished, JobFailed, JobSucceeded, JobDeleted, JobNotFound, WatcherTimeout, Cancelled.",
          },
          message: { type: "string" },
          createdAt: dateTime,
          updatedAt: dateTime,
          jobUid: { type: "string", description: "The Job bound to, once seen." },
          jobOutcome: { anyOf: [ref("JobOutcome"), { type: "null" }] },
          notifyOn: { type: "array", items: ref("JobOutcome") },
          parentId: { type: "string", description: "The CronJob watcher that made this one." },
          jobDoneTriggerWebhooks: { type: "array", items: ref("JobDoneTriggerWebhook") },
        },
        additionalProperties: false,
      },
      JobDoneTriggerWebhook: {
        type: "object",
        required: [
          "id",
          "webhookId",
          "timeoutSeconds",
          "status",
          "calledAt",
          "attempts",
          "lastError",
        ],
        properties: {
          id: { type: "string" },
          webhookId: { type: "string" },
          timeoutSeconds: { type: "integer", minimum: 0 },
          status: ref("JobDoneTriggerWebhookStatus"),
          calledAt: nullableDateTime,
          attempts: { type: "integer", minimum: 0 },
          lastError: { type: "string" },
        },
        additionalProperties: false,
      },
      JobDoneWatcherStatus: {
        type: "string",
        enum: [
          "PENDING",
          "PROCESSING",
          "COMPLETED",
          "PARTIALLY_COMPLETED",
          "FAILED",
          "CANCELLED",
          "TIMEOUT",
        ],
      },
      JobDoneTriggerWebhookStatus: {
        type: "string",
        enum: ["NOT_CALLED", "CALLED", "FAILED", "TIMEOUT", "CANCELLED"],
      },
      JobOutcome: { type: "string", enum: ["SUCCEEDED", "FAILED", "DELETED"] },
      DnsLabel: dnsLabel,
      Problem: {
        type: "object",
        required: ["type", "title", "status", "detail"],
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
          errors: {
            type: "array",
            items: {
              type: "object",
              required: ["field", "message"],
              properties: { field: { type: "string" }, message: { type: "string" } },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
  },
} as const;
