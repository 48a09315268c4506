import type { Logger } from "../../common/logger.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { Store } from "../store/Store.js";
import { outageReason } from "../store/StoreHealth.js";
import { IdempotencyConflictError } from "../store/WatcherRepo.js";
import { ConflictError, NotFoundError, PreconditionError, ValidationError } from "./errors.js";
import { buildDeliveries } from "./buildDeliveries.js";
import {
  FINAL_WATCHER_STATUSES,
  Outcome,
  Reason,
  TriggerStatus,
  WatcherStatus,
  type Watcher,
  type WatcherSpec,
} from "./model.js";
import { listPage } from "./listPage.js";
import { hashSpec } from "./requestKeys.js";
import { decideOutcome } from "./settle.js";
import type { PageBounds } from "./takePage.js";
import { validateWatcherSpec } from "./validate.js";
import { WatcherEvents } from "./WatcherEvents.js";

/** What the engine needs to know of the cluster's Jobs (JobWatch's cache). */
export interface JobLookup {
  get(uid: string): JobSummary | undefined;
  findByName(namespace: string, name: string): JobSummary | undefined;
}

export interface EngineOptions {
  store: Store;
  jobs: JobLookup;
  log: Logger;
  /** Bound of a delivery whose trigger has timeoutSeconds 0. */
  defaultDeliveryTimeoutMs: number;
  /** How long a watcher waits for a Job of its name to appear before it ends JobNotFound. */
  jobWaitMs: number;
  /** Namespaces watched; undefined: all. */
  namespaces?: readonly string[];
  now?: () => Date;
}

export interface WatcherPage {
  watchers: Watcher[];
  nextPageToken: string;
}

/**
 * The rules of watchers: creating them, binding them to Jobs, deciding what a finished Job owes,
 * and ending them. Every change is one store transaction; listeners hear of it afterwards.
 */
export class WatcherEngine {
  readonly events = new WatcherEvents();
  private readonly now: () => Date;

  constructor(private readonly o: EngineOptions) {
    this.now = o.now ?? ((): Date => new Date());
  }

  // --- watchers

  createWatcher(
    spec: WatcherSpec,
    idempotencyKey?: string,
  ): { watcher: Watcher; created: boolean } {
    const violations = validateWatcherSpec(spec, idempotencyKey);
    if (this.o.namespaces && !this.o.namespaces.includes(spec.namespace)) {
      violations.push({
        field: "namespace",
        description: `is not watched by this controlplane (--namespaces ${this.o.namespaces.join(",")})`,
      });
    }
    if (violations.length > 0) throw new ValidationError(violations);
    // A well-formed request that names a webhook which does not exist: NOT_FOUND, naming it.
    const missing = spec.triggers.flatMap((t, i) =>
      this.o.store.webhooks.get(t.webhookId)
        ? []
        : [{ field: `triggers[${i}].webhook_id`, description: `no webhook ${t.webhookId}` }],
    );
    if (missing.length > 0) {
      throw new NotFoundError(missing.map((m) => m.description).join("; "), missing);
    }
    const now = this.now();
    let result: { watcher: Watcher; created: boolean };
    try {
      result = this.o.store.watchers.create({
        spec,
        now,
        ...(idempotencyKey !== undefined && { idempotencyKey, requestHash: hashSpec(spec) }),
        ...(spec.jobName !== "" && { bindBy: new Date(now.getTime() + this.o.jobWaitMs) }),
      });
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new ConflictError(err.message);
      throw err;
    }
    if (!result.created) return result;
    this.announceDeadline(spec, now);
    return { watcher: this.bindExisting(result.watcher), created: true };
  }

  // A Job that already exists binds at once, and if it already finished the watcher fires now.
  private bindExisting(w: Watcher): Watcher {
    const job = w.jobName !== "" ? this.o.jobs.findByName(w.namespace, w.jobName) : undefined;
    if (!job) return w;
    try {
      this.upsert(job);
    } catch (err) {
      // The watcher is stored; the store failed after. The Job is applied again once the store
      // writes (JobWatch.resync), so the caller is told of the watcher it has, not asked to retry.
      if (outageReason(err) === undefined) throw err;
      return w;
    }
    return this.getWatcher(w.id);
  }

  getWatcher(id: string): Watcher {
    const w = this.o.store.watchers.get(id);
    if (!w) throw new NotFoundError(`watcher ${id} not found`);
    return w;
  }

  listWatchers(
    filter: { namespace?: string; jobName?: string; status?: WatcherStatus },
    bounds: PageBounds<Watcher>,
    pageToken: string,
  ): WatcherPage {
    const { items, nextPageToken } = listPage(
      "watchers",
      (after) => this.o.store.watchers.scan(filter, after),
      {
        bounds,
        pageToken,
        filter: [filter.namespace ?? "", filter.jobName ?? "", filter.status ?? ""],
      },
    );
    return { watchers: items, nextPageToken };
  }

  cancelWatcher(id: string): Watcher {
    const w = this.getWatcher(id);
    if (FINAL_WATCHER_STATUSES.has(w.status)) {
      throw new PreconditionError(`watcher ${id} already ended ${w.status}`);
    }
    // Cancelling a CronJob watcher also cancels the watchers it made for its Jobs.
    for (const child of this.o.store.watchers.children(id)) this.cancelOne(child.id);
    this.cancelOne(id);
    return this.getWatcher(id);
  }

  /** The dispatcher settled a delivery: tell the watcher's listeners. */
  deliverySettled(watcher: Watcher): void {
    this.changed(watcher.id);
  }

  // --- Job events (JobWatchHandler)

  upsert(job: JobSummary): void {
    if (job.cronJobName !== undefined) this.spawnChildren(job, job.cronJobName);
    const now = this.now();
    for (const w of this.o.store.watchers.pendingForJob(job.namespace, job.name, job.uid)) {
      if (w.jobUid === "") {
        this.o.store.watchers.bind(w.id, job.uid, now);
        w.jobUid = job.uid;
      } else if (w.jobUid !== job.uid) {
        continue;
      }
      if (job.outcome !== undefined) {
        this.decide(w, job, job.outcome, job.finishedAt ?? now);
      } else {
        this.changed(w.id);
      }
    }
  }

  remove(job: JobSummary): void {
    for (const w of this.o.store.watchers.pendingForJob(job.namespace, job.name, job.uid)) {
      if (w.jobUid === job.uid) this.decide(w, job, Outcome.DELETED, this.now());
    }
  }

  /** After a (re)list: bound watchers whose Job is gone were missed while we were not looking. */
  synced(jobs: ReadonlyMap<string, JobSummary>): void {
    const watched = this.o.namespaces;
    for (const b of this.o.store.watchers.boundPending()) {
      if (jobs.has(b.jobUid)) continue;
      // Not listed because not watched (--namespaces changed since): unknown, not deleted.
      if (watched && !watched.includes(b.namespace)) continue;
      const w = this.o.store.watchers.get(b.id);
      if (!w) continue;
      this.decide(w, goneJob(w), Outcome.DELETED, this.now());
    }
  }

  // --- timeouts

  /** Ends watchers whose time ran out; returns when to look again. */
  expire(): Date | undefined {
    const now = this.now();
    const { timedOut, notFound } = this.o.store.watchers.expired(now);
    for (const id of timedOut) {
      this.end(id, {
        status: WatcherStatus.TIMEOUT,
        reason: Reason.WATCHER_TIMEOUT,
        message: "timeoutSeconds passed before the Job finished",
        triggerStatus: TriggerStatus.TIMEOUT,
      });
    }
    for (const id of notFound) {
      this.end(id, {
        status: WatcherStatus.FAILED,
        reason: Reason.JOB_NOT_FOUND,
        message: `no Job of this name appeared within ${Math.round(this.o.jobWaitMs / 1000)} s`,
        triggerStatus: TriggerStatus.CANCELLED,
      });
    }
    return this.o.store.watchers.nextExpiry();
  }

  // --- internals

  // The timeout loop hears of the new watcher's earliest deadline: its timeout or its wait.
  private announceDeadline(spec: WatcherSpec, now: Date): void {
    const timeout = spec.timeoutSeconds > 0 ? now.getTime() + spec.timeoutSeconds * 1000 : Infinity;
    const wait = spec.jobName !== "" ? now.getTime() + this.o.jobWaitMs : Infinity;
    const earliest = Math.min(timeout, wait);
    if (earliest !== Infinity) this.events.expiryAdded(new Date(earliest));
  }

  private spawnChildren(job: JobSummary, cronJobName: string): void {
    for (const family of this.o.store.watchers.pendingFamilies(job.namespace, cronJobName)) {
      // Only Jobs started after the watcher: it is about future runs, not yesterday's.
      if (job.createdAt.getTime() < Math.floor(family.createdAt.getTime() / 1000) * 1000) continue;
      const child = this.o.store.watchers.createChild(family, job, this.now());
      this.changed(child.id);
      this.changed(family.id);
    }
  }

  private decide(w: Watcher, job: JobSummary, outcome: Outcome, at: Date): void {
    const decision = decideOutcome(w.notifyOn, outcome);
    if (decision.kind === "end") {
      this.end(w.id, { ...decision, outcome, triggerStatus: TriggerStatus.CANCELLED });
      return;
    }
    const now = this.now();
    const deliveries = buildDeliveries(w, (id) => this.o.store.webhooks.get(id), {
      job,
      outcome,
      at,
      now,
      defaultTimeoutMs: this.o.defaultDeliveryTimeoutMs,
    });
    if (!this.o.store.watchers.startNotifying(w.id, outcome, deliveries, now)) return;
    this.o.log.info(
      {
        watcher: w.id,
        job: `${job.namespace}/${job.name}`,
        outcome,
        deliveries: deliveries.length,
      },
      "job finished; delivering",
    );
    this.changed(w.id);
    if (deliveries.length > 0) this.events.deliveriesQueued();
  }

  private cancelOne(id: string): void {
    this.end(id, {
      status: WatcherStatus.CANCELLED,
      reason: Reason.CANCELLED,
      message: "cancelled",
      triggerStatus: TriggerStatus.CANCELLED,
    });
  }

  private end(id: string, ending: Parameters<Store["watchers"]["end"]>[1]): void {
    if (!this.o.store.watchers.end(id, ending, this.now())) return;
    this.o.log.info({ watcher: id, status: ending.status, reason: ending.reason }, "watcher ended");
    this.events.ended(id);
    this.changed(id);
  }

  private changed(id: string): void {
    this.events.changed(id, (i) => this.o.store.watchers.get(i));
  }
}

// What is known of a Job that vanished while nobody watched: only what its watcher recorded.
function goneJob(w: Watcher): JobSummary {
  return {
    uid: w.jobUid,
    namespace: w.namespace,
    name: w.jobName,
    resourceVersion: "",
    createdAt: w.createdAt,
    active: 0,
    succeeded: 0,
    failed: 0,
    labels: {},
  };
}
