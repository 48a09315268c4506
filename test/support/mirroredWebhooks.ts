import type { Webhook, WebhookOptions, WebhookSource } from "../../controlplane/watchers/model.js";
import { mirroredId } from "../../controlplane/webhooks/webhookObject.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { kubectlApply } from "./apply.js";
import type { ControlplaneProcess } from "./controlplane.js";

/** The webhook the leader makes of a Webhook or ClusterWebhook object at `source`. */
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
    createdAt: new Date(),
    source,
    ...(options && { options }),
  };
}

/** The object a mirrored webhook stands for, as a user would apply it. */
function objectOf(w: Webhook): object {
  const source = w.source;
  if (!source) throw new Error(`webhook ${w.id} mirrors no object`);
  const o: WebhookOptions = w.options ?? {};
  return {
    apiVersion: "jobhooks.dev/v1alpha1",
    kind: source.kind,
    metadata: {
      name: source.name,
      ...(source.kind === "Webhook" && { namespace: source.namespace }),
    },
    spec: {
      url: w.url,
      description: w.description,
      ...(o.bodyTemplate !== undefined && { body: o.bodyTemplate }),
      ...(o.headers && { headers: o.headers }),
      ...(o.cloudEvents && { cloudEvents: o.cloudEvents }),
      ...(o.secretRef && { signingSecretRef: { name: o.secretRef.name, key: o.secretRef.key } }),
      ...(o.namespaces && { namespaces: o.namespaces }),
      ...(o.timeoutSeconds !== undefined && { timeoutSeconds: o.timeoutSeconds }),
    },
  };
}

/**
 * Applies the objects the webhooks mirror with kubectl, and waits until the controlplane's
 * leader has mirrored each one into its store (its GET answers it).
 */
export async function putMirrored(
  cluster: TestCluster,
  cp: ControlplaneProcess,
  ...webhooks: Webhook[]
): Promise<void> {
  await kubectlApply(cluster, webhooks.map(objectOf));
  for (const w of webhooks) {
    await waitFor(`${w.source?.kind ?? ""} ${w.source?.name ?? ""} mirrored`, async () =>
      (await cp.webhooks.getWebhook({ id: w.id }).catch(() => undefined)) ? true : undefined,
    );
  }
}
