import { Outcome, type WatcherRequest, type WatcherSpec } from "../../contract/model.js";
import type { Caller } from "../auth/Caller.js";

/**
 * A watcher request with its defaults: the namespace is the caller's own (a ServiceAccount's),
 * else the controlplane's --default-namespace; notify on success; no timeout. Names lose the
 * blanks a copy and paste brings; an outcome named twice counts once.
 */
export function watcherSpec(
  request: WatcherRequest,
  caller: Caller,
  defaultNamespace: string,
): WatcherSpec {
  const notifyOn = request.notifyOn ?? [];
  return {
    namespace: request.namespace || caller.namespace || defaultNamespace,
    jobName: (request.jobName ?? "").trim(),
    cronJobName: (request.cronJobName ?? "").trim(),
    timeoutSeconds: request.timeoutSeconds ?? 0,
    notifyOn: notifyOn.length > 0 ? [...new Set(notifyOn)] : [Outcome.SUCCEEDED],
    triggers: (request.triggers ?? []).map((t) => ({
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds ?? 0,
    })),
  };
}
