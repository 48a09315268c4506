import { createHash } from "node:crypto";
import type { WatcherSpec } from "./model.js";

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
