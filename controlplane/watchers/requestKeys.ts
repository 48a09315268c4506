import { createHash } from "node:crypto";
import { ValidationError } from "./errors.js";
import type { Watcher, WatcherSpec } from "./model.js";

/** Fingerprint of a create request: a repeat with the same idempotency key must match it. */
export function hashSpec(spec: WatcherSpec): string {
  const canonical = JSON.stringify([
    spec.namespace,
    spec.jobName,
    spec.cronJobName,
    spec.timeoutSeconds,
    [...spec.notifyOn].sort(),
    spec.triggers.map((t) => [t.webhookId, t.timeoutSeconds]),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** An opaque cursor: the last watcher of a page, in list order (created_at, id). */
export function encodePageToken(w: Watcher): string {
  return Buffer.from(JSON.stringify([w.createdAt.getTime(), w.id])).toString("base64url");
}

export function decodePageToken(token: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(token, "base64url").toString()) as unknown[];
    if (typeof createdAt === "number" && typeof id === "string") return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new ValidationError([
    { field: "page_token", description: "is not a token this server issued" },
  ]);
}
