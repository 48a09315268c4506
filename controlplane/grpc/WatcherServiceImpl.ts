import type { WatcherOperations } from "../../contract/JobhooksApi.js";
import { attemptPageToProto } from "../../proto/codec/attempts.js";
import { pageFromProto } from "../../proto/codec/webhooks.js";
import {
  watcherFilterFromProto,
  watcherPageToProto,
  watcherRequestFromProto,
  watcherToProto,
} from "../../proto/codec/watchers.js";
import type {
  JobDoneWatcherServiceImplementation,
  ListWatchersRequest,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import type { Caller } from "../auth/Caller.js";
import type { CallerContext } from "./authMiddleware.js";

/** The watcher operations over gRPC; WatchWatcher streams until the watcher is final. */
export function watcherService(
  watchers: WatcherOperations<Caller>,
): JobDoneWatcherServiceImplementation<CallerContext> {
  return {
    async createWatcher(req, { caller }) {
      const { request, idempotencyKey } = watcherRequestFromProto(req);
      return watcherToProto(await watchers.create(caller, request, idempotencyKey));
    },
    getWatcher: async (req, { caller }) => watcherToProto(await watchers.get(caller, req.id)),
    listWatchers: async (req: ListWatchersRequest, { caller }) =>
      watcherPageToProto(
        await watchers.list(caller, watcherFilterFromProto(req), pageFromProto(req)),
      ),
    cancelWatcher: async (req, { caller }) => watcherToProto(await watchers.cancel(caller, req.id)),
    redeliverTrigger: async (req, { caller }) =>
      watcherToProto(await watchers.redeliver(caller, req.id, req.triggerId)),
    async *watchWatcher(req, { caller, signal }) {
      for await (const w of watchers.watch(caller, req.id, signal)) yield watcherToProto(w);
    },
    listDeliveryAttempts: async (req, { caller }) =>
      attemptPageToProto(
        await watchers.deliveries(caller, req.id, {
          pageSize: req.pageSize,
          pageToken: req.pageToken,
        }),
      ),
  };
}
