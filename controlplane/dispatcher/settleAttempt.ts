import type { AttemptChanges, WatcherRepo } from "../store/WatcherRepo.js";
import { TriggerStatus, type Delivery, type Watcher } from "../watchers/model.js";
import { settleTrigger } from "../watchers/settle.js";
import type { AttemptStep } from "./decideAttempt.js";

/** What was read for recording an attempt: its watcher, and the open watchers of its Job. */
export interface AttemptView {
  watcher: Watcher | undefined;
  others: readonly Watcher[];
}

/**
 * Whether recording `step` needs its watcher read: only a first delivery's final result settles
 * a watcher. A retry writes the outbox row and the trigger; a redelivery's watcher has settled
 * already (it was sent again on request), so its results touch only the trigger.
 */
export function settlesWatcher(d: Delivery, step: AttemptStep): boolean {
  return step.outcome !== "retry" && d.redelivery !== true;
}

/**
 * What one decided attempt writes: a retry keeps the outbox row, due again at its time; a final
 * result removes the row, gives the trigger its status, and settles the watcher (and labels its
 * Job when no watcher of it is left open). A redelivery's results are its trigger's alone: each
 * attempt counts on it, a final one sets its status; the watcher is left as it is.
 */
export function settleAttempt(
  d: Delivery,
  step: AttemptStep,
  v: AttemptView,
  at: Date,
): AttemptChanges {
  const base = {
    deliveryId: d.id,
    triggerId: d.triggerId,
    watcherId: d.watcherId,
    record: step.record,
    ...(step.log && { log: step.log }),
    at,
  };
  const retry = step.outcome === "retry" && { retryAt: step.retryAt };
  if (d.redelivery) return { ...base, ...retry, redelivery: true };
  if (retry) return { ...base, ...retry };
  if (!v.watcher) return base;
  const settled = settleTrigger(v.watcher, d.triggerId, step.record.status, v.others);
  return {
    ...base,
    ...(settled.status !== undefined && { watcherStatus: settled.status }),
    ...(settled.label && { label: settled.label }),
  };
}

/**
 * What settling `d`'s trigger needs: its watcher, and, when this is its last trigger still owed,
 * the other open watchers of its Job (for the label).
 */
export async function readAttemptView(
  watchers: Pick<WatcherRepo, "get" | "openForJob">,
  d: Delivery,
): Promise<AttemptView> {
  const watcher = await watchers.get(d.watcherId);
  const last = watcher?.triggers.every(
    (t) => t.id === d.triggerId || t.status !== TriggerStatus.NOT_CALLED,
  );
  const others =
    watcher && last && watcher.jobUid !== ""
      ? await watchers.openForJob(watcher.namespace, watcher.jobName, watcher.jobUid)
      : [];
  return { watcher, others };
}
