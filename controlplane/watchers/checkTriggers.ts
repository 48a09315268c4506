import type { WebhookRepo } from "../store/WebhookRepo.js";
import { usableFrom } from "../webhooks/webhookObject.js";
import { NotFoundError, PermissionDeniedError, sourceName, type FieldViolation } from "./errors.js";
import type { WatcherSpec, Webhook, WebhookSource } from "./model.js";

/**
 * How a request named its triggers' webhooks: by id, or by the Webhook or ClusterWebhook object
 * a webhook mirrors (resolved to that webhook's id before the spec is checked).
 */
export interface TriggerNaming {
  /** Per trigger, the object it was named by; undefined: by id. */
  sources: readonly (WebhookSource | undefined)[];
  /** What is wrong with the names; reported with the rest of the spec's violations. */
  violations: readonly FieldViolation[];
}

export const BY_ID: TriggerNaming = { sources: [], violations: [] };

/**
 * The webhooks a well-formed spec's triggers name: each must exist (NOT_FOUND naming the field)
 * and serve the watcher's namespace (PERMISSION_DENIED): a Webhook object serves its own
 * namespace, a ClusterWebhook those its spec.namespaces lists (all when it lists none).
 */
export async function checkTriggerWebhooks(
  webhooks: WebhookRepo,
  spec: WatcherSpec,
  naming: TriggerNaming = BY_ID,
): Promise<void> {
  const found = await Promise.all(spec.triggers.map((t) => webhooks.get(t.webhookId)));
  const missing = spec.triggers.flatMap((t, i) =>
    found[i] ? [] : [unknown(i, t.webhookId, naming.sources[i])],
  );
  if (missing.length > 0) {
    throw new NotFoundError(missing.map((m) => m.description).join("; "), missing);
  }
  const forbidden = found.flatMap((w, i) =>
    w && !usableFrom(w, spec.namespace) ? [refused(i, w, spec.namespace, naming.sources[i])] : [],
  );
  if (forbidden.length > 0) {
    throw new PermissionDeniedError(forbidden.map((f) => f.description).join("; "), forbidden);
  }
}

function fieldOf(i: number, named: WebhookSource | undefined): string {
  const name = !named
    ? "webhookId"
    : named.kind === "Webhook"
      ? "webhookName"
      : "clusterWebhookName";
  return `triggers[${i}].${name}`;
}

function unknown(i: number, id: string, named: WebhookSource | undefined): FieldViolation {
  return {
    field: fieldOf(i, named),
    // An object whose spec is not valid is not mirrored: its status says why.
    description: named
      ? `no ${sourceName(named)} (does it exist, and is it Ready?)`
      : `no webhook ${id}`,
  };
}

function refused(
  i: number,
  w: Webhook,
  namespace: string,
  named: WebhookSource | undefined,
): FieldViolation {
  const object = w.source ? sourceName(w.source) : `webhook ${w.id}`;
  const serves =
    w.source?.kind === "Webhook"
      ? `only Jobs in its own namespace ${w.source.namespace}`
      : `only Jobs in namespaces ${(w.options?.namespaces ?? []).join(", ")} (its spec.namespaces)`;
  return {
    field: fieldOf(i, named),
    description: `${object} serves ${serves}, not ${namespace}`,
  };
}
