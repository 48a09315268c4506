import type { Watcher, WatcherRequest } from "../contract/model.js";
import { watcherFromProto, watcherRequestToProto } from "../proto/codec/watchers.js";
import {
  JobDoneWatcherServiceDefinition,
  type JobDoneWatcher,
} from "../proto/gen/jobhooks/v1/watchers.js";
import type { Http2Channel } from "./lite/Http2Channel.js";
import { liteMethod, type LiteCallOptions } from "./lite/liteClient.js";

/**
 * JobDoneWatcherService.CreateWatcher over `channel`, with the generated code: what the
 * sidecar's API (sidecarApi.ts) loads at the first watcher a pod registers, not at start.
 */
export function watcherCreate(
  channel: Http2Channel,
  defaults: LiteCallOptions,
): (o: LiteCallOptions, request: WatcherRequest, key?: string) => Promise<Watcher> {
  const service = JobDoneWatcherServiceDefinition;
  const m = service.methods.createWatcher;
  const send = liteMethod(channel, `/${service.fullName}/${m.name}`, m, defaults);
  return async (o, request, key) =>
    watcherFromProto((await send(watcherRequestToProto(request, key), o)) as JobDoneWatcher);
}
