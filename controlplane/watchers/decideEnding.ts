import type { Ending } from "../store/WatcherRepo.js";
import { Outcome, Reason, TriggerStatus, WatcherStatus, type Watcher } from "./model.js";
import { emptyDecision, type WatcherDecision } from "./WatcherDecision.js";
import { isOpen, WatcherLedger } from "./WatcherLedger.js";

export const CANCELLED: Ending = {
  status: WatcherStatus.CANCELLED,
  reason: Reason.CANCELLED,
  message: "cancelled",
  triggerStatus: TriggerStatus.CANCELLED,
};

export const TIMED_OUT: Ending = {
  status: WatcherStatus.TIMEOUT,
  reason: Reason.WATCHER_TIMEOUT,
  message: "timeoutSeconds passed before the Job finished",
  triggerStatus: TriggerStatus.TIMEOUT,
};

export function jobNotFound(jobWaitMs: number): Ending {
  return {
    status: WatcherStatus.FAILED,
    reason: Reason.JOB_NOT_FOUND,
    message: `no Job of this name appeared within ${Math.round(jobWaitMs / 1000)} s`,
    triggerStatus: TriggerStatus.CANCELLED,
  };
}

/**
 * Ends each open watcher of `targets` with its ending (a watcher named twice ends once, by the
 * first); `others` are the open watchers of their Jobs, to tell which Jobs are then owed the label.
 */
export function decideEndings(
  targets: readonly { watcher: Watcher; ending: Ending }[],
  others: readonly Watcher[],
  now: Date,
): WatcherDecision {
  const d = emptyDecision(now);
  const ledger = new WatcherLedger(others);
  for (const { watcher, ending } of targets) {
    const w = ledger.get(watcher.id) ?? watcher;
    if (!isOpen(w)) continue;
    ledger.moved(w, ending.status, ending.outcome !== Outcome.DELETED);
    d.changes.push({ kind: "end", id: w.id, ending });
    d.touched.push(w.id);
  }
  d.labels = ledger.labels();
  return d;
}

/** Cancelling a CronJob watcher also cancels the watchers it made for its Jobs. */
export function decideCancel(
  w: Watcher,
  children: readonly Watcher[],
  others: readonly Watcher[],
  now: Date,
): WatcherDecision {
  const targets = [...children, w].map((watcher) => ({ watcher, ending: CANCELLED }));
  return decideEndings(targets, others, now);
}

/** Watchers past their timeout end TIMEOUT; unbound ones past their wait, JobNotFound. */
export function decideExpiry(
  expired: { timedOut: readonly Watcher[]; notFound: readonly Watcher[] },
  others: readonly Watcher[],
  c: { now: Date; jobWaitMs: number },
): WatcherDecision {
  const notFound = jobNotFound(c.jobWaitMs);
  return decideEndings(
    [
      ...expired.timedOut.map((watcher) => ({ watcher, ending: TIMED_OUT })),
      ...expired.notFound.map((watcher) => ({ watcher, ending: notFound })),
    ],
    others,
    c.now,
  );
}
