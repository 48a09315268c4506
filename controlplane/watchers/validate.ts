import { codePoints } from "../../common/codePoints.js";
import { FETCH_BAD_PORTS } from "../../common/fetchBadPorts.js";
import { isValidSecret } from "../dispatcher/sign.js";
import type { FieldViolation } from "./errors.js";
import { Outcome, type WatcherSpec, type WebhookOptions } from "./model.js";
import { LIMITS } from "../../contract/limits.js";

export { LIMITS };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OUTCOMES = new Set<string>(Object.values(Outcome));

export function dnsLabelProblem(value: string, max: number): string | undefined {
  if (value.length > max) return `must be at most ${max} characters`;
  if (!DNS_LABEL.test(value)) {
    return "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  }
  return undefined;
}

/** A pod's name: DNS-1123 labels joined by dots, 253 characters at most. */
export function dnsSubdomainProblem(value: string): string | undefined {
  if (value.length > 253) return "must be at most 253 characters";
  if (!DNS_SUBDOMAIN.test(value)) {
    return "must be a DNS-1123 subdomain: DNS-1123 labels (lowercase letters, digits and '-', starting and ending with a letter or digit) joined by '.'";
  }
  return undefined;
}

export function validateWatcherSpec(
  spec: WatcherSpec,
  idempotencyKey: string | undefined,
): FieldViolation[] {
  const v: FieldViolation[] = [];
  const add = (field: string, problem: string | undefined): void => {
    if (problem !== undefined) v.push({ field, description: problem });
  };
  add("namespace", dnsLabelProblem(spec.namespace, LIMITS.nameLength));
  if ((spec.jobName === "") === (spec.cronJobName === "")) {
    add("jobName", "exactly one of job_name and cron_job_name is required");
  } else if (spec.jobName !== "") {
    add("jobName", dnsLabelProblem(spec.jobName, LIMITS.nameLength));
  } else {
    add("cronJobName", dnsLabelProblem(spec.cronJobName, LIMITS.cronJobNameLength));
  }
  add("timeoutSeconds", timeoutProblem(spec.timeoutSeconds));
  if (spec.triggers.length > LIMITS.triggers)
    add("triggers", `at most ${LIMITS.triggers} triggers`);
  spec.triggers.forEach((t, i) => {
    if (t.webhookId === "") add(`triggers[${i}].webhookId`, "is required");
    add(`triggers[${i}].timeoutSeconds`, timeoutProblem(t.timeoutSeconds));
  });
  spec.notifyOn.forEach((o, i) => {
    if (!OUTCOMES.has(o)) add(`notifyOn[${i}]`, `must be one of ${[...OUTCOMES].join(", ")}`);
  });
  if (idempotencyKey !== undefined) add("idempotencyKey", keyProblem(idempotencyKey));
  return v;
}

/** Keys starting so are the controlplane's own: the watchers it makes for annotated Jobs. */
export const RESERVED_KEY_PREFIX = "jobhooks.dev/";

function keyProblem(key: string): string | undefined {
  if (key.length > LIMITS.idempotencyKeyLength) {
    return `must be at most ${LIMITS.idempotencyKeyLength} characters`;
  }
  if (key.startsWith(RESERVED_KEY_PREFIX)) {
    return `must not start with ${RESERVED_KEY_PREFIX}: those keys are the controlplane's own, for annotated Jobs`;
  }
  return undefined;
}

/** How deliveries are shaped beyond url and requestBody: what a payload checker reads. */
export type WebhookPayload = Pick<WebhookOptions, "bodyTemplate" | "headers" | "cloudEvents">;

export interface WebhookInput extends WebhookPayload {
  url: string;
  requestBody: string | undefined;
  description: string;
  secret: string | undefined;
}

const CLOUD_EVENTS_MODES: readonly string[] = ["Binary", "Structured"];

/** Why deliveries to a URL can never be made (its host a denied IP address), or undefined. */
export type CheckUrl = (url: string) => string | undefined;

/** `checkUrl` judges a well-formed URL further: the egress policy's literal addresses. */
export function validateWebhook(w: WebhookInput, checkUrl?: CheckUrl): FieldViolation[] {
  const v: FieldViolation[] = [];
  const urlProblem = webhookUrlProblem(w.url) ?? checkUrl?.(w.url);
  if (urlProblem) v.push({ field: "url", description: urlProblem });
  if (codePoints(w.description) > LIMITS.descriptionLength) {
    v.push({
      field: "description",
      description: `must be at most ${LIMITS.descriptionLength} characters`,
    });
  }
  if (w.requestBody !== undefined && Buffer.byteLength(w.requestBody) > LIMITS.requestBodyBytes) {
    v.push({ field: "requestBody", description: "must be at most 1 MiB" });
  }
  v.push(...payloadViolations(w));
  if (w.secret !== undefined && !isValidSecret(w.secret)) {
    v.push({
      field: "secret",
      description: 'must be "whsec_" followed by base64 of 24 to 64 random bytes',
    });
  }
  return v;
}

/** A secret rotation's problems (rotateSecret): the secret as at create, the overlap bounded. */
export function validateRotation(r: {
  secret: string;
  previousExpiresInSeconds?: number | undefined;
}): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (!isValidSecret(r.secret)) {
    v.push({
      field: "secret",
      description: 'must be "whsec_" followed by base64 of 24 to 64 random bytes',
    });
  }
  const s = r.previousExpiresInSeconds;
  if (s !== undefined && !(Number.isInteger(s) && s >= 0 && s <= LIMITS.previousSecretSeconds)) {
    v.push({
      field: "previousExpiresInSeconds",
      description: `must be a whole number from 0 to ${LIMITS.previousSecretSeconds} (30 days)`,
    });
  }
  return v;
}

// The payload's shape; what its templates and header names say is the payload checker's to judge.
function payloadViolations(w: WebhookInput): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (w.bodyTemplate !== undefined && w.requestBody !== undefined) {
    v.push({
      field: "bodyTemplate",
      description:
        "cannot be given with requestBody: requestBody is sent as it is, bodyTemplate is rendered; give one",
    });
  }
  if (w.bodyTemplate !== undefined && codePoints(w.bodyTemplate) > LIMITS.bodyTemplateLength) {
    v.push({
      field: "bodyTemplate",
      description: `must be at most ${LIMITS.bodyTemplateLength} characters`,
    });
  }
  if (w.headers && Object.keys(w.headers).length > LIMITS.headers) {
    v.push({ field: "headers", description: `at most ${LIMITS.headers} headers` });
  }
  if (w.cloudEvents && !CLOUD_EVENTS_MODES.includes(w.cloudEvents.mode)) {
    v.push({ field: "cloudEvents.mode", description: "must be Binary or Structured" });
  }
  return v;
}

function webhookUrlProblem(url: string): string | undefined {
  if (url === "") return "is required";
  if (url.length > LIMITS.urlLength) return `must be at most ${LIMITS.urlLength} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute URL, e.g. https://example.com/hook";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `scheme must be http or https, not ${parsed.protocol.replace(/:$/, "")}`;
  }
  if (parsed.username !== "" || parsed.password !== "") return "must not carry credentials";
  if (parsed.port !== "" && FETCH_BAD_PORTS.includes(Number(parsed.port))) {
    return `port ${parsed.port} is one HTTP clients refuse to connect to (the Fetch standard's bad ports)`;
  }
  return undefined;
}

function timeoutProblem(seconds: number): string | undefined {
  if (!Number.isInteger(seconds) || seconds < 0)
    return "must be a whole number of seconds, 0 or more";
  if (seconds > LIMITS.timeoutSeconds) return `must be at most ${LIMITS.timeoutSeconds} (30 days)`;
  return undefined;
}
