import {
  JobOutcome,
  WatcherStatus,
  type JobDoneWatcher,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import { waitFor } from "../cluster/wait.js";
import type { ControlplaneProcess } from "./controlplane.js";

const FINAL = new Set<WatcherStatus>([
  WatcherStatus.COMPLETED,
  WatcherStatus.PARTIALLY_COMPLETED,
  WatcherStatus.FAILED,
  WatcherStatus.CANCELLED,
  WatcherStatus.TIMEOUT,
]);

export function isFinal(w: JobDoneWatcher): boolean {
  return FINAL.has(w.status);
}

/** Polls the watcher until `done` holds for it. */
export async function watcherWhen(
  cp: ControlplaneProcess,
  id: string,
  done: (w: JobDoneWatcher) => boolean,
  timeoutMs = 20_000,
): Promise<JobDoneWatcher> {
  return waitFor(
    `watcher ${id}`,
    async () => {
      const w = await cp.watchers.getWatcher({ id });
      return done(w) ? w : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

export function finalWatcher(
  cp: ControlplaneProcess,
  id: string,
  timeoutMs?: number,
): Promise<JobDoneWatcher> {
  return watcherWhen(cp, id, isFinal, timeoutMs);
}

/** A webhook posting to `receiverUrl + path`. */
export async function webhookTo(
  cp: ControlplaneProcess,
  url: string,
  extra: { requestBody?: string; secret?: string } = {},
): Promise<string> {
  const w = await cp.webhooks.createWebhook({ url, description: "test", ...extra });
  return w.id;
}

export const NOTIFY_ALL = [JobOutcome.SUCCEEDED, JobOutcome.FAILED, JobOutcome.DELETED];
