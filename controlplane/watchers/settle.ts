import type { JobRef } from "../store/WatcherRepo.js";
import { TriggerStatus, WatcherStatus, type Outcome, type Watcher } from "./model.js";
import { WatcherLedger } from "./WatcherLedger.js";

/**
 * The status a notifying watcher has, given its triggers: PROCESSING while any is NOT_CALLED;
 * then COMPLETED when none failed, FAILED when none was called, PARTIALLY_COMPLETED in between.
 * A watcher with no triggers is COMPLETED once its Job finishes.
 */
export function settledStatus(triggers: readonly TriggerStatus[]): WatcherStatus {
  if (triggers.includes(TriggerStatus.NOT_CALLED)) return WatcherStatus.PROCESSING;
  const called = triggers.filter((s) => s === TriggerStatus.CALLED).length;
  const missed = triggers.filter(
    (s) => s === TriggerStatus.FAILED || s === TriggerStatus.TIMEOUT,
  ).length;
  if (missed === 0) return WatcherStatus.COMPLETED;
  if (called === 0) return WatcherStatus.FAILED;
  return WatcherStatus.PARTIALLY_COMPLETED;
}

export type JobDecision =
  { kind: "notify" } | { kind: "end"; status: WatcherStatus; reason: string; message: string };

/**
 * What a pending watcher owes once its Job has an outcome: the webhooks when the outcome is one
 * it notifies on, otherwise a final FAILED with the reason (its triggers are then CANCELLED).
 */
export function decideOutcome(notifyOn: readonly Outcome[], outcome: Outcome): JobDecision {
  if (notifyOn.includes(outcome)) return { kind: "notify" };
  const reasons = {
    SUCCEEDED: "JobSucceeded",
    FAILED: "JobFailed",
    DELETED: "JobDeleted",
  } as const;
  const messages = {
    SUCCEEDED: "the Job succeeded; this watcher notifies only on " + notifyOn.join(", "),
    FAILED: "the Job failed; this watcher notifies only on " + notifyOn.join(", "),
    DELETED: "the Job was deleted before it finished",
  } as const;
  return {
    kind: "end",
    status: WatcherStatus.FAILED,
    reason: reasons[outcome],
    message: messages[outcome],
  };
}

/**
 * What a PROCESSING watcher becomes once its trigger `triggerId` has the final `status`: its
 * settled status when that changes, and its Job when it is then owed the label. `others` are the
 * open watchers bound to its Job.
 */
export function settleTrigger(
  w: Watcher,
  triggerId: string,
  status: TriggerStatus,
  others: readonly Watcher[],
): { status?: WatcherStatus; label?: JobRef } {
  const next = settledStatus(
    w.triggers.map((t) =>
      t.id === triggerId && t.status === TriggerStatus.NOT_CALLED ? status : t.status,
    ),
  );
  if (next === WatcherStatus.PROCESSING) return {};
  const ledger = new WatcherLedger(others);
  ledger.moved(w, next, true);
  const label = ledger.labels()[0];
  return {
    ...(w.status === WatcherStatus.PROCESSING && { status: next }),
    ...(label && { label }),
  };
}
