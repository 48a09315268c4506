import type { Logger } from "../../common/logger.js";
import type { JobWatchHandler } from "./JobWatch.js";
import type { JobSummary } from "./jobSummary.js";

interface JobEvent {
  kind: "upsert" | "remove";
  job: JobSummary;
}

/**
 * Hands Job events to the handler, and keeps those it failed to apply (its store could not
 * write) to apply again later, in their order per Job: a Job that finished while nothing could be
 * recorded still ends its watchers once the store works, without waiting for a relist.
 */
export class OwedEvents {
  private readonly owed = new Map<string, JobEvent[]>();
  private syncOwed = false;

  constructor(
    private readonly handler: JobWatchHandler,
    private readonly log: Logger,
  ) {}

  /** Jobs with events not applied yet, plus one if a sync is owed. */
  get size(): number {
    return this.owed.size + (this.syncOwed ? 1 : 0);
  }

  /** Applies the event, after any still owed for the same Job. */
  apply(event: JobEvent): void {
    const queue = this.owed.get(event.job.uid);
    if (!queue) {
      if (!this.call(event)) this.owed.set(event.job.uid, [event]);
      return;
    }
    const last = queue.at(-1);
    // A newer summary of a Job says all an older one did: keep the newest.
    if (last?.kind === "upsert" && event.kind === "upsert") queue[queue.length - 1] = event;
    else queue.push(event);
    this.flush(event.job.uid, queue);
  }

  synced(jobs: ReadonlyMap<string, JobSummary>): void {
    this.syncOwed = !this.guard("synced", !this.syncOwed, () => this.handler.synced(jobs));
  }

  /** Tries everything owed again; `jobs` is the watch's cache, for an owed sync. */
  retry(jobs: ReadonlyMap<string, JobSummary>): void {
    for (const [uid, queue] of [...this.owed]) this.flush(uid, queue);
    if (this.syncOwed) this.synced(jobs);
  }

  private flush(uid: string, queue: JobEvent[]): void {
    while (queue.length > 0) {
      const next = queue[0];
      if (!next || !this.call(next)) return;
      queue.shift();
    }
    this.owed.delete(uid);
  }

  private call(event: JobEvent): boolean {
    const { handler } = this;
    const first = !this.owed.has(event.job.uid);
    return this.guard(event.kind, first, () =>
      event.kind === "upsert" ? handler.upsert(event.job) : handler.remove(event.job),
    );
  }

  // The handler is someone else's code: its failure must not stop the watch. Logged once per
  // Job (or sync) until it succeeds, not on every retry.
  private guard(what: string, first: boolean, call: () => void): boolean {
    try {
      call();
      return true;
    } catch (err) {
      this.log[first ? "warn" : "debug"](
        { err, handler: what },
        "could not apply a Job event; it is kept and retried",
      );
      return false;
    }
  }
}
