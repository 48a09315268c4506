import { SqliteStore } from "../../controlplane/store/sqlite/SqliteStore.js";
import type { Webhook, WebhookOptions, WebhookSource } from "../../controlplane/watchers/model.js";
import { mirroredId } from "../../controlplane/webhooks/webhookObject.js";
import { storePathOf, type ControlplaneProcess } from "./controlplane.js";

/** A webhook as the leader mirrors it from `source`, for `store.webhooks.put`. */
export function mirrored(
  source: WebhookSource,
  options?: WebhookOptions,
  url = `http://127.0.0.1:59999/${source.kind}/${source.name}`,
): Webhook {
  return {
    id: mirroredId(source),
    url,
    requestBody: undefined,
    description: `mirrors ${source.name}`,
    secret: undefined,
    createdAt: new Date("2026-01-01T00:00:00Z"),
    source,
    ...(options && { options }),
  };
}

/**
 * Writes mirrored webhooks into a running controlplane's SQLite store (WAL: the two processes
 * share it), as its leader does for Webhook and ClusterWebhook objects: what the API shows of
 * them, without the objects.
 */
export async function putMirrored(cp: ControlplaneProcess, ...webhooks: Webhook[]): Promise<void> {
  const store = SqliteStore.open({ kind: "sqlite", path: storePathOf(cp) });
  try {
    for (const w of webhooks) await store.webhooks.put(w);
  } finally {
    await store.close();
  }
}
