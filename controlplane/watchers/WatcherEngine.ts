import type { Logger } from "../../common/logger.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { PodFailure } from "../jobwatch/podFailures.js";
import type { JobLookup } from "./JobLookup.js";
import type { Store } from "../store/Store.js";
import { outageReason } from "../store/StoreHealth.js";
import { IdempotencyConflictError, UnknownWebhookError } from "../store/WatcherRepo.js";
import { BY_ID, checkTriggerWebhooks, type TriggerNaming } from "./checkTriggers.js";
import { decideCancel, decideExpiry } from "./decideEnding.js";
import { decideRemove, decideUpsert, goneJob } from "./decideJobEvent.js";
import { readJobView } from "./readJobView.js";
import { ConflictError, NotFoundError, PreconditionError, ValidationError } from "./errors.js";
import { FINAL_WATCHER_STATUSES, type Watcher, type WatcherSpec } from "./model.js";
import { listPage } from "./listPage.js";
import { newWatcher } from "./newWatcher.js";
import { hashSpec } from "./requestKeys.js";
import type { PageBounds } from "./takePage.js";
import { validateWatcherSpec } from "./validate.js";
import type { WatcherDecision } from "./WatcherDecision.js";
import { WatcherEvents } from "./WatcherEvents.js";
import type { WatcherFilter } from "./model.js";

export interface EngineOptions {
  store: Store;
  jobs: JobLookup;
  log: Logger;
  /** Bound of a delivery whose trigger has timeoutSeconds 0. */
  defaultDeliveryTimeoutMs: number;
  /** How long a watcher waits for a Job of its name to appear before it ends JobNotFound. */
  jobWaitMs: number;
  /** A failed Job's failed pods, for its notifications (FailedPods.of). */
  failedPods?: (job: JobSummary) => Promise<PodFailure[] | undefined>;
  /** Namespaces watched; undefined: all. */
  namespaces?: readonly string[];
  now?: () => Date;
}

export interface WatcherPage {
  watchers: Watcher[];
  nextPageToken: string;
}

// A decision whose watchers changed between its read and its write is read and made again.
const DECISION_TRIES = 3;

/**
 * The rules of watchers, as read → decide → apply: each event reads what it needs from the
 * store, a pure function decides (decideJobEvent, decideEnding), the store writes the decision
 * in one transaction, and listeners hear of it afterwards.
 */
export class WatcherEngine {
  readonly events = new WatcherEvents();
  private readonly now: () => Date;

  constructor(private readonly o: EngineOptions) {
    this.now = o.now ?? ((): Date => new Date());
  }

  // --- watchers

  /** `naming`: how the request named the triggers' webhooks, for what a refusal says. */
  async createWatcher(
    spec: WatcherSpec,
    idempotencyKey?: string,
    naming?: TriggerNaming,
  ): Promise<{ watcher: Watcher; created: boolean }> {
    await this.check(spec, idempotencyKey, naming);
    const now = this.now();
    let result: { watcher: Watcher; created: boolean };
    const askBind = spec.jobName !== "" && !this.o.jobs.answering;
    try {
      result = await this.o.store.watchers.create({
        ...newWatcher(spec, {
          now,
          ...(idempotencyKey !== undefined && { idempotencyKey, requestHash: hashSpec(spec) }),
          ...(spec.jobName !== "" && { bindBy: new Date(now.getTime() + this.o.jobWaitMs) }),
        }),
        ...(askBind && { askBind }),
      });
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new ConflictError(err.message);
      // Deleted between the check above and the insert.
      if (err instanceof UnknownWebhookError) throw new NotFoundError(err.message);
      throw err;
    }
    if (!result.created) return result;
    this.announceDeadline(spec, now);
    if (askBind) this.events.bindRequested();
    return { watcher: await this.bindExisting(result.watcher), created: true };
  }

  async getWatcher(id: string): Promise<Watcher> {
    const w = await this.o.store.watchers.get(id);
    if (!w) throw new NotFoundError(`watcher ${id} not found`);
    return w;
  }

  async listWatchers(
    filter: WatcherFilter,
    bounds: PageBounds<Watcher>,
    pageToken: string,
  ): Promise<WatcherPage> {
    const { items, nextPageToken } = await listPage(
      "watchers",
      (after, limit) => this.o.store.watchers.list(filter, limit, after),
      {
        bounds,
        pageToken,
        filter: [filter.namespace ?? "", filter.jobName ?? "", filter.status ?? ""],
      },
    );
    return { watchers: items, nextPageToken };
  }

  async cancelWatcher(id: string): Promise<Watcher> {
    const w = await this.getWatcher(id);
    if (FINAL_WATCHER_STATUSES.has(w.status)) {
      throw new PreconditionError(`watcher ${id} already ended ${w.status}`);
    }
    await this.decide(async () => {
      const current = await this.getWatcher(id);
      const children = await this.o.store.watchers.children(id);
      const others = await this.openOfJobs([...children, current]);
      return decideCancel(current, children, others, this.now());
    });
    return this.getWatcher(id);
  }

  /** The dispatcher settled a delivery: tell the watcher's listeners. */
  deliverySettled(watcherId: string): void {
    this.events.changed(watcherId);
  }

  // --- Job events (JobWatchHandler)

  async upsert(job: JobSummary): Promise<void> {
    const read = { families: true, webhooks: job.outcome !== undefined };
    await this.decide(async () =>
      decideUpsert(await readJobView(this.o.store, job, read, this.o.failedPods), this.context()),
    );
  }

  async remove(job: JobSummary): Promise<void> {
    const read = { families: false, webhooks: true };
    await this.decide(async () =>
      decideRemove(await readJobView(this.o.store, job, read), this.context()),
    );
  }

  /**
   * After a (re)list: bound watchers whose Job is gone were missed while we were not looking.
   * A Job missing from the cache is gone only if the apiserver says so too: another replica may
   * have bound the watcher from a watch ahead of ours.
   */
  async synced(jobs: ReadonlyMap<string, JobSummary>): Promise<void> {
    // Not listed because not watched (--namespaces changed since): unknown, not deleted.
    const watched = (ns: string): boolean => this.o.namespaces?.includes(ns) ?? true;
    const missing = (await this.o.store.watchers.boundPending()).filter(
      (b) => !jobs.has(b.jobUid) && watched(b.namespace),
    );
    const seen = new Set<string>();
    for (const b of missing) {
      if (seen.has(b.jobUid)) continue;
      seen.add(b.jobUid);
      const w = await this.o.store.watchers.get(b.id);
      if (w && (await this.o.jobs.find(w.namespace, w.jobName))?.uid !== w.jobUid) {
        await this.remove(goneJob(w));
      }
    }
  }

  // --- timeouts

  /** Ends watchers whose time ran out; returns when to look again. */
  async expire(): Promise<Date | undefined> {
    await this.decide(async () => {
      const now = this.now();
      let expired = await this.o.store.watchers.expired(now);
      if (await this.bindLate(expired.notFound)) expired = await this.o.store.watchers.expired(now);
      const others = await this.openOfJobs([...expired.timedOut, ...expired.notFound]);
      return decideExpiry(expired, others, { now, jobWaitMs: this.o.jobWaitMs });
    });
    return this.o.store.watchers.nextExpiry();
  }

  // --- read, apply, announce

  private async check(
    spec: WatcherSpec,
    idempotencyKey: string | undefined,
    naming: TriggerNaming = BY_ID,
  ): Promise<void> {
    const violations = [...naming.violations, ...validateWatcherSpec(spec, idempotencyKey)];
    if (this.o.namespaces && !this.o.namespaces.includes(spec.namespace)) {
      violations.push({
        field: "namespace",
        description: `is not watched by this controlplane (--namespaces ${this.o.namespaces.join(",")})`,
      });
    }
    if (violations.length > 0) throw new ValidationError(violations);
    await checkTriggerWebhooks(this.o.store.webhooks, spec, naming);
  }

  // A Job that already exists binds at once, and if it already finished the watcher fires now.
  private async bindExisting(w: Watcher): Promise<Watcher> {
    const job = w.jobName !== "" ? this.o.jobs.findByName(w.namespace, w.jobName) : undefined;
    if (!job) return w;
    try {
      await this.upsert(job);
    } catch (err) {
      // The watcher is stored; the store failed after. The Job is applied again once the store
      // writes (JobWatch.resync), so the caller is told of the watcher it has, not asked to retry.
      if (outageReason(err) === undefined) throw err;
      return w;
    }
    return this.getWatcher(w.id);
  }

  // Watchers whose wait ran out but whose Job is there after all are bound to it (true if any).
  // The apiserver is asked: a replica's cache may lack a Job another replica's watch has seen.
  private async bindLate(waited: readonly Watcher[]): Promise<boolean> {
    let bound = false;
    for (const w of waited) {
      const job =
        this.o.jobs.findByName(w.namespace, w.jobName) ??
        (await this.o.jobs.find(w.namespace, w.jobName));
      if (!job) continue;
      await this.upsert(job);
      bound = true;
    }
    return bound;
  }

  // The open watchers of the Jobs `watchers` are bound to.
  private async openOfJobs(watchers: readonly Watcher[]): Promise<Watcher[]> {
    const jobs = new Map<string, Watcher>();
    for (const w of watchers) if (w.jobUid !== "") jobs.set(w.jobUid, w);
    const open: Watcher[] = [];
    for (const w of jobs.values()) {
      open.push(...(await this.o.store.watchers.openForJob(w.namespace, w.jobName, w.jobUid)));
    }
    return open;
  }

  private context(): { now: Date; defaultDeliveryTimeoutMs: number } {
    return { now: this.now(), defaultDeliveryTimeoutMs: this.o.defaultDeliveryTimeoutMs };
  }

  // Reads and decides (`make`), writes the decision in one transaction, then announces it.
  private async decide(make: () => Promise<WatcherDecision>): Promise<void> {
    for (let i = 0; i < DECISION_TRIES; i++) {
      const d = await make();
      const nothing = d.spawn.length === 0 && d.changes.length === 0;
      if (nothing || (await this.o.store.watchers.apply(d))) {
        this.announce(d);
        return;
      }
    }
    this.o.log.warn("watchers kept changing under a decision; left for the next event");
  }

  private announce(d: WatcherDecision): void {
    let queued = false;
    for (const c of d.changes) {
      if (c.kind === "end") {
        const { status, reason } = c.ending;
        this.o.log.info({ watcher: c.id, status, reason }, "watcher ended");
        this.events.ended(c.id);
      } else if (c.kind === "notify") {
        const job = d.job && `${d.job.namespace}/${d.job.name}`;
        const deliveries = c.deliveries.length;
        this.o.log.info(
          { watcher: c.id, job, outcome: c.outcome, deliveries },
          "job finished; delivering",
        );
        queued ||= deliveries > 0;
      }
    }
    for (const id of new Set(d.touched)) this.events.changed(id);
    if (queued) this.events.deliveriesQueued();
  }

  // The timeout loop hears of the new watcher's earliest deadline: its timeout or its wait.
  private announceDeadline(spec: WatcherSpec, now: Date): void {
    const timeout = spec.timeoutSeconds > 0 ? now.getTime() + spec.timeoutSeconds * 1000 : Infinity;
    const wait = spec.jobName !== "" ? now.getTime() + this.o.jobWaitMs : Infinity;
    const earliest = Math.min(timeout, wait);
    if (earliest !== Infinity) this.events.expiryAdded(new Date(earliest));
  }
}
