import { execute } from "abort-controller-x";
import type { CallContext } from "nice-grpc";
import type {
  CreateWatcherRequest,
  JobDoneWatcher,
  JobDoneWatcherServiceImplementation,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import {
  FINAL_WATCHER_STATUSES,
  Outcome,
  type Watcher,
  type WatcherSpec,
} from "../watchers/model.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";
import { fromProtoOutcomes, fromProtoWatcherStatus, toProtoWatcher } from "./convert.js";

export const MAX_PAGE_SIZE = 1000;

export interface WatcherServiceOptions {
  /** Namespace of watchers that name none (until callers are identified). */
  defaultNamespace: string;
}

export function watcherService(
  engine: WatcherEngine,
  options: WatcherServiceOptions,
): JobDoneWatcherServiceImplementation {
  return {
    createWatcher: (req) => {
      const key = req.idempotencyKey === "" ? undefined : req.idempotencyKey;
      return Promise.resolve(
        toProtoWatcher(engine.createWatcher(toSpec(req, options), key).watcher),
      );
    },
    getWatcher: (req) => Promise.resolve(toProtoWatcher(engine.getWatcher(req.id))),
    listWatchers: (req) => {
      const page = engine.listWatchers(
        {
          namespace: req.namespace,
          jobName: req.jobName,
          status: fromProtoWatcherStatus(req.status),
        },
        req.pageSize === 0 ? MAX_PAGE_SIZE : Math.min(req.pageSize, MAX_PAGE_SIZE),
        req.pageToken,
      );
      return Promise.resolve({
        watchers: page.watchers.map(toProtoWatcher),
        nextPageToken: page.nextPageToken,
      });
    },
    cancelWatcher: (req) => Promise.resolve(toProtoWatcher(engine.cancelWatcher(req.id))),
    watchWatcher: (req, context) => streamWatcher(engine, req.id, context),
  };
}

export function toSpec(req: CreateWatcherRequest, options: WatcherServiceOptions): WatcherSpec {
  const notifyOn = fromProtoOutcomes(req.notifyOn);
  return {
    namespace: req.namespace === "" ? options.defaultNamespace : req.namespace,
    jobName: req.jobName.trim(),
    cronJobName: req.cronJobName.trim(),
    timeoutSeconds: req.timeoutSeconds,
    notifyOn: notifyOn.length > 0 ? [...new Set(notifyOn)] : [Outcome.SUCCEEDED],
    triggers: req.triggers.map((t) => ({
      webhookId: t.webhookId.trim(),
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
