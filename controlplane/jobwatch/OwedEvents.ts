import type { Logger } from "../../common/logger.js";
import type { JobWatchHandler } from "./JobWatch.js";
import type { JobSummary } from "./jobSummary.js";

interface JobEvent {
  kind: "upsert" | "remove";
  job: JobSummary;
}

/** Job events handled at once, each Job's in order; more wait for a slot. */
export const DEFAULT_EVENT_CONCURRENCY = 8;

/**
 * Hands Job events to the handler: one Job's events one after another, in order, and up to
 * `concurrency` Jobs at once (a store across the network answers many calls at once faster than
 * one after another). Keeps those it failed to apply (its store could not write) to apply again
 * on retry(), still in their order per Job: a Job that finished while nothing could be recorded
 * still ends its watchers once the store works, without waiting for a relist.
 */
export class OwedEvents {
  /** Events not applied yet, per Job, oldest first; the first may be under way. */
  private readonly queues = new Map<string, JobEvent[]>();
  /** Jobs whose first event failed: they wait for retry(). */
  private readonly failed = new Set<string>();
  /** Jobs with a call under way. */
  private readonly running = new Set<string>();
  /** Jobs with events, waiting for a slot. */
  private readonly ready = new Set<string>();
  private sync: { jobs: ReadonlyMap<string, JobSummary>; failed: boolean } | undefined;
  private syncRunning = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handler: JobWatchHandler,
    private readonly log: Logger,
    private readonly o: { concurrency?: number; onOwed?: () => void } = {},
  ) {}

  /** Jobs with events that failed, plus one if a sync failed. */
  get size(): number {
    return this.failed.size + (this.sync?.failed ? 1 : 0);
  }

  /** Applies the event, after any still queued or owed for the same Job. */
  apply(event: JobEvent): void {
    const uid = event.job.uid;
    const queue = this.queues.get(uid);
    if (!queue) {
      this.queues.set(uid, [event]);
    } else {
      const last = queue.at(-1);
      // A newer summary of a Job says all an older one did: keep the newest (unless the older
      // is under way already).
      const started = queue.length === 1 && this.running.has(uid);
      if (last?.kind === "upsert" && event.kind === "upsert" && !started) {
        queue[queue.length - 1] = event;
      } else queue.push(event);
    }
    if (!this.failed.has(uid) && !this.running.has(uid)) this.ready.add(uid);
    this.pump();
  }

  /** A (re)list completed: the handler hears of it after the events queued so far. */
  synced(jobs: ReadonlyMap<string, JobSummary>): void {
    this.sync = { jobs, failed: false };
    this.pump();
  }

  /** Tries everything owed again; `jobs` is the watch's cache, for an owed sync. */
  retry(jobs: ReadonlyMap<string, JobSummary>): void {
    for (const uid of this.failed) if (!this.running.has(uid)) this.ready.add(uid);
    this.failed.clear();
    if (this.sync?.failed) this.sync = { jobs, failed: false };
    this.pump();
  }

  /** Resolves once nothing is queued or under way (failed events aside). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return (
      this.running.size === 0 &&
      this.ready.size === 0 &&
      !this.syncRunning &&
      (this.sync === undefined || this.sync.failed)
    );
  }

  private pump(): void {
    const limit = this.o.concurrency ?? DEFAULT_EVENT_CONCURRENCY;
    for (const uid of this.ready) {
      if (this.running.size >= limit) break;
      this.ready.delete(uid);
      this.running.add(uid);
      void this.drain(uid);
    }
    const sync = this.sync;
    if (sync && !sync.failed && this.eventsDone()) void this.runSync(sync);
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  // A sync waits for the events handed before it, so it sees what they changed.
  private eventsDone(): boolean {
    return !this.syncRunning && this.running.size === 0 && this.ready.size === 0;
  }

  // One Job's events, in order, until its queue is empty or one fails.
  private async drain(uid: string): Promise<void> {
    const queue = this.queues.get(uid) ?? [];
    let ok = true;
    for (let next = queue[0]; next && ok; next = queue[0]) {
      const event = next;
      ok = await this.call(event.kind, () =>
        event.kind === "upsert" ? this.handler.upsert(event.job) : this.handler.remove(event.job),
      );
      if (ok) queue.shift();
    }
    this.running.delete(uid);
    if (queue.length === 0) this.queues.delete(uid);
    if (!ok) this.owe(() => this.failed.add(uid));
    this.pump();
  }

  private async runSync(sync: { jobs: ReadonlyMap<string, JobSummary> }): Promise<void> {
    this.syncRunning = true;
    const ok = await this.call("synced", () => this.handler.synced(sync.jobs));
    this.syncRunning = false;
    // A newer sync asked for meanwhile still runs.
    if (this.sync === sync) {
      if (ok) this.sync = undefined;
      else this.owe(() => (this.sync = { jobs: sync.jobs, failed: true }));
    }
    this.pump();
  }

  private owe(mark: () => void): void {
    const before = this.size;
    mark();
    if (before === 0) this.o.onOwed?.();
  }

  // The handler is someone else's code: its failure must not stop the watch. Logged once while
  // it keeps failing, not on every retry.
  private async call(what: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      this.log[this.size === 0 ? "warn" : "debug"](
        { err, handler: what },
        "could not apply a Job event; it is kept and retried",
      );
      return false;
    }
  }
}
