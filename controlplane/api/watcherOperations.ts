import type { WatcherOperations } from "../../contract/JobhooksApi.js";
import type { DeliveryAttempt, Watcher, WatcherSpec } from "../../contract/model.js";
import type { Auth, Caller } from "../auth/Caller.js";
import type { PodJobs } from "../auth/PodJobs.js";
import type { Redeliveries } from "../watchers/Redeliveries.js";
import type { DeliveryLogRepo } from "../store/DeliveryLogRepo.js";
import { listAttempts } from "../watchers/listAttempts.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";
import { pageBounds } from "./pageBounds.js";
import { watcherSpec } from "./watcherSpec.js";
import { watchWatcher } from "./watchWatcher.js";

export interface WatcherOperationsOptions {
  /** Namespace of watchers whose request and caller name none. */
  defaultNamespace: string;
  /** Which Job a calling pod belongs to; without it every caller needs RBAC. */
  podJobs?: Pick<PodJobs, "jobOf"> | undefined;
  /** A watch stream reads its watcher at least this often, for changes another replica made. */
  pollMs?: number | undefined;
  /** Sends a trigger's message again. */
  redeliveries: Redeliveries;
  /** The attempt log the deliveries operation reads. */
  deliveryLog: Pick<DeliveryLogRepo, "attempts">;
}

/** Watchers are namespaced: each operation takes the RBAC right in the watcher's namespace. */
export function watcherOperations(
  engine: WatcherEngine,
  auth: Auth,
  o: WatcherOperationsOptions,
): WatcherOperations<Caller> {
  // Reading or ending a watcher takes the right in its own namespace.
  async function authorized(
    caller: Caller,
    id: string,
    verb: "get" | "delete" | "update",
  ): Promise<Watcher> {
    const w = await engine.getWatcher(id);
    await auth.authorize(caller, {
      verb,
      resource: "jobdonewatchers",
      namespace: w.namespace || undefined,
    });
    return w;
  }
  // A Job's pod may watch its own Job by its token alone (DESIGN.md "Identity"): the sidecar of
  // an injected pod works without a RoleBinding for the pod's ServiceAccount.
  async function forOwnJob(spec: WatcherSpec, caller: Caller): Promise<boolean> {
    if (!caller.pod || spec.cronJobName !== "" || spec.namespace !== caller.namespace) {
      return false;
    }
    return spec.jobName !== "" && (await o.podJobs?.jobOf(caller)) === spec.jobName;
  }
  // Authorized once, before the first answer; a watcher's namespace never changes.
  async function* watch(caller: Caller, id: string, signal: AbortSignal): AsyncGenerator<Watcher> {
    await authorized(caller, id, "get");
    yield* watchWatcher(engine, id, signal, o.pollMs);
  }
  return {
    create: async (caller, request, idempotencyKey) => {
      const { spec, naming } = watcherSpec(request, caller, o.defaultNamespace);
      if (!(await forOwnJob(spec, caller))) {
        await auth.authorize(caller, {
          verb: "create",
          resource: "jobdonewatchers",
          namespace: spec.namespace,
        });
      }
      // The engine validates every spec it is given, this one and the job-families file's alike.
      return (await engine.createWatcher(spec, idempotencyKey, naming)).watcher;
    },
    get: (caller, id) => authorized(caller, id, "get"),
    list: async (caller, filter, page) => {
      await auth.authorize(caller, {
        verb: "list",
        resource: "jobdonewatchers",
        namespace: filter.namespace || undefined,
      });
      const found = await engine.listWatchers(
        filter,
        pageBounds(page, (w: Watcher) => w),
        page.pageToken ?? "",
      );
      return { items: found.watchers, nextPageToken: found.nextPageToken };
    },
    cancel: async (caller, id) => {
      await authorized(caller, id, "delete");
      return engine.cancelWatcher(id);
    },
    // Sending a message again changes the watcher's trigger: "update" on the watcher.
    redeliver: async (caller, id, triggerId) =>
      o.redeliveries.redeliver(await authorized(caller, id, "update"), triggerId),
    watch,
    // Read as the watcher is: an unknown watcher is not found, whatever its log holds.
    deliveries: async (caller, id, page) => {
      await authorized(caller, id, "get");
      const bounds = pageBounds(page, (a: DeliveryAttempt) => a);
      return listAttempts(o.deliveryLog, id, bounds, page.pageToken ?? "");
    },
  };
}
