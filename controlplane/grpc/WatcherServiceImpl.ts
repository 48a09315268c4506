import { execute } from "abort-controller-x";
import type { CallContext } from "nice-grpc";
import {
  JobDoneWatcher,
  type CreateWatcherRequest,
  type JobDoneWatcherServiceImplementation,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import {
  FINAL_WATCHER_STATUSES,
  Outcome,
  type Watcher,
  type WatcherSpec,
} from "../watchers/model.js";
import type { Auth, Caller } from "../auth/Caller.js";
import type { PodJobs } from "../auth/PodJobs.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";
import type { CallerContext } from "./authMiddleware.js";
import { fromProtoOutcomes, fromProtoWatcherStatus, toProtoWatcher } from "./convert.js";
import { pageBounds } from "./pageBounds.js";

export interface WatcherServiceOptions {
  /** Namespace of watchers that name none (until callers are identified). */
  defaultNamespace: string;
  /** Which Job a calling pod belongs to; without it every caller needs RBAC. */
  podJobs?: PodJobs;
}

export function watcherService(
  engine: WatcherEngine,
  auth: Auth,
  options: WatcherServiceOptions,
): JobDoneWatcherServiceImplementation<CallerContext> {
  // Reading or ending a watcher takes the right in its own namespace.
  async function authorizedWatcher(
    id: string,
    caller: Caller,
    verb: "get" | "delete",
  ): Promise<Watcher> {
    const w = engine.getWatcher(id);
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
    return spec.jobName !== "" && (await options.podJobs?.jobOf(caller)) === spec.jobName;
  }
  return {
    async createWatcher(req, { caller }) {
      const spec = toSpec(req, caller, options);
      if (!(await forOwnJob(spec, caller))) {
        await auth.authorize(caller, {
          verb: "create",
          resource: "jobdonewatchers",
          namespace: spec.namespace,
        });
      }
      const key = req.idempotencyKey === "" ? undefined : req.idempotencyKey;
      return toProtoWatcher(engine.createWatcher(spec, key).watcher);
    },
    async getWatcher(req, { caller }) {
      return toProtoWatcher(await authorizedWatcher(req.id, caller, "get"));
    },
    async listWatchers(req, { caller }) {
      await auth.authorize(caller, {
        verb: "list",
        resource: "jobdonewatchers",
        namespace: req.namespace || undefined,
      });
      const page = engine.listWatchers(
        {
          namespace: req.namespace,
          jobName: req.jobName,
          status: fromProtoWatcherStatus(req.status),
        },
        pageBounds(
          req.pageSize,
          (w: Watcher) => JobDoneWatcher.encode(toProtoWatcher(w)).finish().length,
        ),
        req.pageToken,
      );
      return { watchers: page.watchers.map(toProtoWatcher), nextPageToken: page.nextPageToken };
    },
    async cancelWatcher(req, { caller }) {
      await authorizedWatcher(req.id, caller, "delete");
      return toProtoWatcher(engine.cancelWatcher(req.id));
    },
    async *watchWatcher(req, context) {
      await authorizedWatcher(req.id, context.caller, "get");
      yield* streamWatcher(engine, req.id, context);
    },
  };
}

/** The namespace defaults to the caller's own (a ServiceAccount's), else --default-namespace. */
export function toSpec(
  req: CreateWatcherRequest,
  caller: Caller,
  options: WatcherServiceOptions,
): WatcherSpec {
  const notifyOn = fromProtoOutcomes(req.notifyOn);
  return {
    namespace: req.namespace || caller.namespace || options.defaultNamespace,
    jobName: req.jobName.trim(),
    cronJobName: req.cronJobName.trim(),
    timeoutSeconds: req.timeoutSeconds,
    notifyOn: notifyOn.length > 0 ? [...new Set(notifyOn)] : [Outcome.SUCCEEDED],
    triggers: req.triggers.map((t) => ({
      webhookId: t.webhookId,
      timeoutSeconds: t.timeoutSeconds,
    })),
  };
}

// The watcher now, then after each change, until it is final or the client goes away.
async function* streamWatcher(
  engine: WatcherEngine,
  id: string,
  context: CallContext,
): AsyncGenerator<JobDoneWatcher> {
  const queue: Watcher[] = [];
  let notify: (() => void) | undefined;
  const unsubscribe = engine.events.onChange(id, (w) => {
    queue.push(w);
    notify?.();
  });
  try {
    let current = engine.getWatcher(id);
    yield toProtoWatcher(current);
    while (!FINAL_WATCHER_STATUSES.has(current.status)) {
      if (queue.length === 0) {
        // Rejects with an AbortError when the client goes away, which ends the generator.
        await execute<undefined>(context.signal, (resolve) => {
          notify = () => {
            resolve(undefined);
          };
          return () => (notify = undefined);
        });
      }
      const next = queue.shift();
      if (!next) continue;
      current = next;
      yield toProtoWatcher(current);
    }
  } finally {
    unsubscribe();
  }
}
