import type { FieldViolation } from "../../contract/errors.js";
import {
  Outcome,
  type TriggerRequest,
  type WatcherRequest,
  type WatcherSpec,
  type WebhookSource,
} from "../../contract/model.js";
import type { Caller } from "../auth/Caller.js";
import type { TriggerNaming } from "../watchers/checkTriggers.js";
import { dnsSubdomainProblem } from "../watchers/validate.js";
import { mirroredId } from "../webhooks/webhookObject.js";

/**
 * A watcher request with its defaults: the namespace is the caller's own (a ServiceAccount's),
 * else the controlplane's --default-namespace; notify on success; no timeout. Names lose the
 * blanks a copy and paste brings; an outcome named twice counts once. A trigger that names a
 * Webhook (in the watcher's namespace) or a ClusterWebhook names the webhook mirroring it.
 */
export function watcherSpec(
  request: WatcherRequest,
  caller: Caller,
  defaultNamespace: string,
): { spec: WatcherSpec; naming: TriggerNaming } {
  const notifyOn = request.notifyOn ?? [];
  const namespace = request.namespace || caller.namespace || defaultNamespace;
  const resolved = (request.triggers ?? []).map((t, i) => resolveTrigger(t, i, namespace));
  return {
    spec: {
      namespace,
      jobName: (request.jobName ?? "").trim(),
      cronJobName: (request.cronJobName ?? "").trim(),
      timeoutSeconds: request.timeoutSeconds ?? 0,
      notifyOn: notifyOn.length > 0 ? [...new Set(notifyOn)] : [Outcome.SUCCEEDED],
      triggers: resolved.map((r, i) => ({
        webhookId: r.webhookId,
        timeoutSeconds: request.triggers?.[i]?.timeoutSeconds ?? 0,
      })),
    },
    naming: {
      sources: resolved.map((r) => r.source),
      violations: resolved.flatMap((r) => r.violations),
    },
  };
}

interface Resolved {
  webhookId: string;
  source: WebhookSource | undefined;
  violations: FieldViolation[];
}

// Empty names are absent ones, as protobuf cannot tell them apart. None at all is left to the
// spec's validation ("webhookId is required"); more than one is refused here.
function resolveTrigger(t: TriggerRequest, i: number, namespace: string): Resolved {
  const named: WebhookSource[] = [
    ...(t.webhookName ? [{ kind: "Webhook" as const, namespace, name: t.webhookName }] : []),
    ...(t.clusterWebhookName
      ? [{ kind: "ClusterWebhook" as const, namespace: "", name: t.clusterWebhookName }]
      : []),
  ];
  const [source] = named;
  if (!source) return { webhookId: t.webhookId ?? "", source: undefined, violations: [] };
  if (named.length > 1 || t.webhookId) {
    const description = "give exactly one of webhookId, webhookName and clusterWebhookName";
    return {
      webhookId: mirroredId(source),
      source: undefined,
      violations: [{ field: `triggers[${i}]`, description }],
    };
  }
  const field = `triggers[${i}].${source.kind === "Webhook" ? "webhookName" : "clusterWebhookName"}`;
  const problem = dnsSubdomainProblem(source.name);
  return {
    webhookId: mirroredId(source),
    source,
    violations: problem === undefined ? [] : [{ field, description: problem }],
  };
}
