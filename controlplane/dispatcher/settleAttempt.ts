import type { AttemptChanges } from "../store/WatcherRepo.js";
import type { Delivery, Watcher } from "../watchers/model.js";
import { settleTrigger } from "../watchers/settle.js";
import type { AttemptStep } from "./decideAttempt.js";

/** What was read for recording an attempt: its watcher, and the open watchers of its Job. */
export interface AttemptView {
  watcher: Watcher | undefined;
  others: readonly Watcher[];
}

/**
 * What one decided attempt writes: a retry keeps the outbox row, due again at its time; a final
 * result removes the row, gives the trigger its status, and settles the watcher (and labels its
 * Job when no watcher of it is left open).
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
  if (step.outcome === "retry") return { ...base, retryAt: step.retryAt };
  if (!v.watcher) return base;
  const settled = settleTrigger(v.watcher, d.triggerId, step.record.status, v.others);
  return {
    ...base,
    ...(settled.status !== undefined && { watcherStatus: settled.status }),
    ...(settled.label && { label: settled.label }),
  };
}
