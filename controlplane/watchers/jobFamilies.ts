import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Store } from "../store/Store.js";
import type { FieldViolation } from "./errors.js";
import { Outcome, type WatcherSpec } from "./model.js";
import { newWatcher } from "./newWatcher.js";
import { dnsLabelProblem, LIMITS, validateWebhook, type CheckUrl } from "./validate.js";

/** One entry of k8s-job-webhooks' job-family file: call `url` whenever a Job of the family succeeds. */
export interface JobFamilyEntry {
  jobFamily: string;
  url: string;
  requestBody: string;
  description: string;
}

export class JobFamiliesError extends Error {}

/**
 * Reads the job-family YAML file (a list of {jobFamily, url, requestBody, description}). A family
 * is a CronJob's name: its entry fires for every Job the CronJob creates, in every namespace
 * watched. An empty requestBody means the JSON event.
 */
export function loadJobFamilies(path: string, checkUrl?: CheckUrl): JobFamilyEntry[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new JobFamiliesError(`--job-families ${path}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc))
    throw new JobFamiliesError(`--job-families ${path}: expected a list of entries`);
  const problems: string[] = [];
  const entries = doc.map((item: unknown, i): JobFamilyEntry => {
    const o = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const str = (k: string): string => {
      const v = o[k];
      if (typeof v === "string") return v;
      if (v === undefined || v === null) return "";
      if (typeof v === "number" || typeof v === "boolean") return String(v);
      problems.push(`entry ${i}: ${k} must be a string`);
      return "";
    };
    const entry = {
      jobFamily: str("jobFamily"),
      url: str("url"),
      requestBody: str("requestBody"),
      description: str("description"),
    };
    const violations: FieldViolation[] = validateWebhook(
      { ...entry, requestBody: entry.requestBody || undefined, secret: undefined },
      checkUrl,
    );
    const familyProblem = dnsLabelProblem(entry.jobFamily, LIMITS.cronJobNameLength);
    if (familyProblem) violations.push({ field: "jobFamily", description: familyProblem });
    for (const v of violations) problems.push(`entry ${i}: ${v.field} ${v.description}`);
    return entry;
  });
  if (problems.length > 0)
    throw new JobFamiliesError(`--job-families ${path}:\n  ${problems.join("\n  ")}`);
  return entries;
}

/** A stable id per entry, so loading the file again at every start creates nothing twice. */
export function familyWebhookId(e: JobFamilyEntry): string {
  const h = createHash("sha256")
    .update(JSON.stringify([e.url, e.requestBody, e.description]))
    .digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function familyWatcherSpec(e: JobFamilyEntry): WatcherSpec {
  return {
    namespace: "",
    jobName: "",
    cronJobName: e.jobFamily,
    timeoutSeconds: 0,
    notifyOn: [Outcome.SUCCEEDED],
    triggers: [{ webhookId: familyWebhookId(e), timeoutSeconds: 0 }],
  };
}

/** The webhook and CronJob watcher of an entry, created once and kept across restarts. */
export async function ensureJobFamily(
  store: Store,
  entry: JobFamilyEntry,
  now: Date,
): Promise<void> {
  const id = familyWebhookId(entry);
  // The file is the truth: a family webhook deleted through the API comes back at the next start.
  await store.webhooks.ensure({
    id,
    url: entry.url,
    requestBody: entry.requestBody === "" ? undefined : entry.requestBody,
    description: entry.description,
    secret: undefined,
    createdAt: now,
  });
  await store.watchers.create(
    newWatcher(familyWatcherSpec(entry), {
      now,
      idempotencyKey: `job-families:${entry.jobFamily}:${id}`,
      requestHash: "job-families",
    }),
  );
}
