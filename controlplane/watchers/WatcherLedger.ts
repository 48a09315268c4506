import type { JobRef } from "../store/WatcherRepo.js";
import { WatcherStatus, type Watcher } from "./model.js";

const OPEN: ReadonlySet<WatcherStatus> = new Set([WatcherStatus.PENDING, WatcherStatus.PROCESSING]);

/**
 * The open watchers of some Jobs while a decision changes them, to tell which Jobs are then
 * owed the webhooks-called label: a Job is, once no watcher bound to it is open and a change
 * that may label it (a watcher ending otherwise than by the Job's deletion) was made.
 */
export class WatcherLedger {
  private readonly byId = new Map<string, Watcher>();
  private readonly candidates = new Map<string, JobRef>();

  constructor(watchers: Iterable<Watcher>) {
    for (const w of watchers) this.byId.set(w.id, w);
  }

  get(id: string): Watcher | undefined {
    return this.byId.get(id);
  }

  /** All watchers known, in the order first seen. */
  all(): Watcher[] {
    return [...this.byId.values()];
  }

  set(w: Watcher): void {
    this.byId.set(w.id, w);
  }

  /** `w` now has `status`; `mayLabel`: this change can leave its Job owed the label. */
  moved(w: Watcher, status: WatcherStatus, mayLabel: boolean): void {
    this.byId.set(w.id, { ...w, status });
    if (mayLabel && w.jobUid !== "" && !OPEN.has(status)) {
      this.candidates.set(w.jobUid, { uid: w.jobUid, namespace: w.namespace, name: w.jobName });
    }
  }

  /** The Jobs a change may label and that have no open watcher left. */
  labels(): JobRef[] {
    const open = new Set<string>();
    for (const w of this.byId.values()) if (OPEN.has(w.status)) open.add(w.jobUid);
    return [...this.candidates.values()].filter((job) => !open.has(job.uid));
  }
}

export function isOpen(w: Watcher): boolean {
  return OPEN.has(w.status);
}
