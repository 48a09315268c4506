// The watchers' part of the REST API's document (document.ts): their paths and schemas.
import { LIMITS } from "../../contract/limits.js";
import { pageHeaders, pageParameters } from "./lists.js";
import {
  dnsLabel,
  dnsSubdomain,
  idempotencyKey,
  idParam,
  json,
  problems,
  ref,
  seconds,
  triggerIdParam,
} from "./parts.js";

const dateTime = { type: "string", format: "date-time" } as const;
const nullableDateTime = { type: ["string", "null"], format: "date-time" } as const;

export const watcherPaths = {
  "/job-done-watchers": {
    post: {
      operationId: "createJobDoneWatcher",
      parameters: [
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: `Any string up to ${LIMITS.idempotencyKeyLength} characters, scoped to the namespace: a repeat returns the first watcher.`,
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
        ...problems(
          400,
          401,
          [
            403,
            "the caller's RBAC does not allow this, or a webhook a trigger names does not serve the watcher's namespace (a Webhook serves its own namespace, a ClusterWebhook those its spec.namespaces lists); `errors` names the trigger",
          ],
          [
            404,
            "a trigger names a webhook that does not exist: no webhook of that id, or no Webhook or ClusterWebhook of that name (or none that is Ready); `errors` names the trigger",
          ],
          409,
          413,
          415,
          503,
        ),
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
  "/job-done-watchers/{id}/triggers/{triggerId}/redeliver": {
    post: {
      operationId: "redeliverJobDoneTrigger",
      description:
        "Sends an ended trigger's message again: the same webhook-id, body and headers as its first delivery, to its webhook's url and signing secrets as they are now. A receiver that deduplicates on webhook-id takes it for the message it already has. Its attempts count on the trigger, whose status becomes their final one (CALLED, FAILED, TIMEOUT); the watcher keeps its status. Answers the watcher at once; the delivery goes out after.",
      parameters: [idParam, triggerIdParam],
      responses: {
        "202": {
          description: "queued; the watcher as it is now",
          content: json(ref("JobDoneWatcher")),
        },
        ...problems(
          400,
          401,
          403,
          [404, "no such watcher, or the trigger is not one of its triggers"],
          [
            409,
            "the trigger's delivery is in progress (being sent, or waiting to be retried); no message of it is kept (it was never sent because its watcher ended first, or it ended longer ago than --delivery-retention); or its webhook was deleted. The problem's detail says which",
          ],
          503,
        ),
      },
    },
  },
} as const;

export const watcherSchemas = {
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
        maxLength: LIMITS.cronJobNameLength,
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
        maxItems: LIMITS.triggers,
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
    description:
      "The webhook to call, by exactly one of webhookId, webhookName and clusterWebhookName. A name is resolved when the watcher is created: the watcher's trigger carries the webhook's id.",
    oneOf: [
      { required: ["webhookId"] },
      { required: ["webhookName"] },
      { required: ["clusterWebhookName"] },
    ],
    "x-rule": "exactly one of webhookId, webhookName and clusterWebhookName is required",
    "x-field": "webhookId",
    properties: {
      webhookId: { type: "string", minLength: 1, maxLength: LIMITS.idLength },
      webhookName: {
        ...dnsSubdomain,
        description: "A Webhook object (jobhooks.dev) in the watcher's namespace.",
      },
      clusterWebhookName: {
        ...dnsSubdomain,
        description:
          "A ClusterWebhook object (jobhooks.dev) whose spec.namespaces allows the watcher's namespace.",
      },
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
    required: ["id", "webhookId", "timeoutSeconds", "status", "calledAt", "attempts", "lastError"],
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
} as const;
