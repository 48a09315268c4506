import { isValidSecret } from "../dispatcher/sign.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { KubeApiError } from "../kube/KubeApiError.js";
import type { SecretRef } from "../watchers/model.js";

/** A value read is used for this long: a burst to one signed webhook reads its Secret once. */
export const SECRET_TTL_MS = 1000;

interface Read {
  at: number;
  value: Promise<string>;
}

/**
 * Reads the signing secrets of webhooks that name a Secret, at delivery time: a rotated Secret
 * signs attempts from a second later. Reads of one Secret at the same time are one GET. The
 * controlplane may read Secrets only where RBAC grants it (get, never list): its own namespace
 * (ClusterWebhooks), and namespaces that bind ClusterRole jobhooks-webhook-secrets to it.
 */
export class SigningSecrets {
  private readonly reads = new Map<string, Read>();

  constructor(
    private readonly api: KubeApi,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The Standard Webhooks secret at `ref`, or two separated by one space (a rotation: both
   * sign); throws with a message that says what to fix.
   */
  get(ref: SecretRef): Promise<string> {
    const key = `${ref.namespace}/${ref.name}`;
    const now = this.clock();
    let read = this.reads.get(key);
    if (!read || now - read.at >= SECRET_TTL_MS) {
      read = { at: now, value: this.read(ref.namespace, ref.name) };
      this.reads.set(key, read);
      // A failed read is not kept: the next attempt asks again.
      read.value.catch(() => {
        if (this.reads.get(key) === read) this.reads.delete(key);
      });
    }
    return read.value.then((data) => keyOf(data, ref));
  }

  private async read(namespace: string, name: string): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
    try {
      const secret = await this.api.getJson<{ data?: Record<string, string> }>(path, {});
      return JSON.stringify(secret.data ?? {});
    } catch (err) {
      throw new Error(explain(err, namespace, name), { cause: err });
    }
  }
}

function keyOf(data: string, ref: SecretRef): string {
  const values = JSON.parse(data) as Record<string, string>;
  const encoded = values[ref.key];
  if (encoded === undefined) {
    throw new Error(`signing Secret ${ref.namespace}/${ref.name} has no key "${ref.key}"`);
  }
  const secrets = Buffer.from(encoded, "base64").toString("utf8").trim().split(/\s+/);
  if (secrets.length > 2 || !secrets.every(isValidSecret)) {
    throw new Error(
      `signing Secret ${ref.namespace}/${ref.name} key "${ref.key}" is not a Standard Webhooks secret (whsec_ and base64 of 24 to 64 bytes), nor two separated by a space`,
    );
  }
  return secrets.join(" ");
}

function explain(err: unknown, namespace: string, name: string): string {
  const what = `signing Secret ${namespace}/${name}`;
  if (err instanceof KubeApiError && err.code === 404) return `${what} not found`;
  if (err instanceof KubeApiError && err.code === 403) {
    return `${what}: the controlplane may not read Secrets in namespace ${namespace}; grant it ClusterRole jobhooks-webhook-secrets with a RoleBinding there (docs/webhooks.md)`;
  }
  return `${what} could not be read: ${err instanceof Error ? err.message : String(err)}`;
}
