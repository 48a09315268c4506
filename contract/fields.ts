/**
 * Each request field by its names: the domain's (a path such as "triggers[0].webhookId", what
 * errors carry), the proto's (what gRPC field violations carry on the wire) and the REST API's
 * (what problem+json names). Fields not listed are named alike everywhere.
 */
const NAMES: Record<string, { proto: string; rest: string }> = {
  jobName: { proto: "job_name", rest: "jobName" },
  cronJobName: { proto: "cron_job_name", rest: "cronJobName" },
  timeoutSeconds: { proto: "timeout_seconds", rest: "timeoutSeconds" },
  notifyOn: { proto: "notify_on", rest: "notifyOn" },
  triggers: { proto: "triggers", rest: "jobDoneTriggerWebhooks" },
  webhookId: { proto: "webhook_id", rest: "webhookId" },
  webhookName: { proto: "webhook_name", rest: "webhookName" },
  clusterWebhookName: { proto: "cluster_webhook_name", rest: "clusterWebhookName" },
  requestBody: { proto: "request_body", rest: "requestBody" },
  bodyTemplate: { proto: "body_template", rest: "bodyTemplate" },
  cloudEvents: { proto: "cloud_events", rest: "cloudEvents" },
  idempotencyKey: { proto: "idempotency_key", rest: "Idempotency-Key" },
  pageToken: { proto: "page_token", rest: "continue" },
  pageSize: { proto: "page_size", rest: "limit" },
  podName: { proto: "pod_name", rest: "pod_name" },
  requestId: { proto: "request_id", rest: "requestId" },
  ttlSeconds: { proto: "ttl_seconds", rest: "ttl" },
  leaseId: { proto: "lease_id", rest: "leaseId" },
  previousExpiresInSeconds: {
    proto: "previous_expires_in_seconds",
    rest: "previousExpiresInSeconds",
  },
};

export type FieldNaming = "proto" | "rest";

// "triggers[0].webhookId" → ["triggers", "[0]"], ["webhookId", ""]
function segments(path: string): [string, string][] {
  return path.split(".").map((s) => {
    const i = s.indexOf("[");
    return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i)];
  });
}

/** A domain field path as `naming` names it: triggers[0].webhookId → triggers[0].webhook_id. */
export function fieldName(path: string, naming: FieldNaming): string {
  return segments(path)
    .map(([name, index]) => (NAMES[name]?.[naming] ?? name) + index)
    .join(".");
}

/** A field path named by `naming`, back in the domain's names. */
export function domainFieldName(path: string, naming: FieldNaming): string {
  return segments(path)
    .map(([name, index]) => {
      const entry = Object.entries(NAMES).find(([, names]) => names[naming] === name);
      return (entry?.[0] ?? name) + index;
    })
    .join(".");
}
