import type { WatcherChanges } from "../store/WatcherRepo.js";

/**
 * What an event does to watchers, as decided: the changes the store writes in one transaction,
 * and who hears of them once written.
 */
export interface WatcherDecision extends WatcherChanges {
  /** Watchers whose listeners hear of the event, changed or not, in order. */
  touched: string[];
  /** The Job the event is about, for the log. */
  job?: { namespace: string; name: string };
}

export function emptyDecision(at: Date): WatcherDecision {
  return { spawn: [], changes: [], labels: [], touched: [], at };
}
