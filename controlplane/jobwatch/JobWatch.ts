import type { V1Job, V1JobList } from "@kubernetes/client-node";
import { assertPolicy, backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import { deferred } from "../../common/deferred.js";
import { Waker } from "../../common/Waker.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { ListWatch } from "../kube/ListWatch.js";
import type { JobWatchHandler } from "./JobWatchHandler.js";
import { OwedEvents } from "./OwedEvents.js";
import { sameOutcome, summarizeJob, type JobSummary } from "./jobSummary.js";

export type { JobWatchHandler } from "./JobWatchHandler.js";

export interface JobWatchOptions {
  /** Watch only these namespaces, one list+watch each. Default (or empty): all namespaces. */
  namespaces?: string[];
  handler: JobWatchHandler;
  log: Logger;
  /**
   * Delay before restarting a failed list or watch: doubles per failure, with jitter, between
   * half and all of the doubled value (see `backoffDelay`). Default `{ baseMs: 500, maxMs:
   * 30000 }`: waits of 250–500 ms, 500–1000 ms, 1–2 s, … up to 15–30 s. A list or watch that
   * lived 30 s resets it. The constructor throws a RangeError unless 0 < baseMs <= maxMs.
   */
  backoff?: BackoffPolicy;
  /** Called with the reason each time a list or watch is restarted after a failure. */
  onRestart?: (reason: string) => void;
  /** Jobs per list page. Default 500. */
  pageSize?: number;
}

const DEFAULTS = { backoff: { baseMs: 500, maxMs: 30_000 }, pageSize: 500 } as const;
// A handler call that failed is tried again after 250–500 ms, doubling up to 2.5–5 s, or at
// once on resync() (its store works again).
const HANDLER_RETRY: BackoffPolicy = { baseMs: 500, maxMs: 5000 };

/**
 * Keeps a summary of every batch/v1 Job, by list then watch, and tells a handler what changes.
 * One ListWatch per namespace (or one for all) lists and watches, on the process's KubeApi; a
 * relist is diffed against the cache, so Jobs that vanished meanwhile are removed.
 */
export class JobWatch implements Part {
  readonly name = "jobwatch";
  private readonly streams: ListWatch<JobSummary>[];
  private readonly jobs = new Map<string, JobSummary>();
  private readonly uidByName = new Map<string, string>();
  private firstSync = deferred();
  private isSynced = false;
  private running = false;
  private readonly owed: OwedEvents;
  private readonly retryWaker = new Waker();
  private isCurrent = false;
  /** Since when the watch has not been current, once it had been (epoch ms). */
  private lostAt: number | undefined;
  private readonly currentListeners: ((current: boolean) => void)[] = [];

  constructor(
    private readonly api: KubeApi,
    private readonly options: JobWatchOptions,
  ) {
    // A policy that describes no wait fails here, not at the first watch failure.
    assertPolicy(options.backoff ?? DEFAULTS.backoff);
    this.owed = new OwedEvents(options.handler, options.log, {
      // The first event the handler could not apply starts the retries.
      onOwed: () => this.retryWaker.wake(),
    });
    const namespaces = [...new Set(options.namespaces)];
    this.streams = (namespaces.length > 0 ? namespaces : [undefined]).map((namespace) =>
      this.stream(namespace),
    );
  }

  private stream(namespace: string | undefined): ListWatch<JobSummary> {
    const { options } = this;
    return new ListWatch<JobSummary>({
      api: this.api,
      path:
        namespace === undefined
          ? "/apis/batch/v1/jobs"
          : `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
      scope:
        namespace === undefined
          ? "Jobs in all namespaces"
          : `Jobs in namespace ${JSON.stringify(namespace)}`,
      decode: (object) => summarizeJob(object as V1Job),
      key: (job) => job.uid,
      log: options.log,
      backoff: options.backoff ?? DEFAULTS.backoff,
      pageSize: options.pageSize ?? DEFAULTS.pageSize,
      sink: {
        upsert: (job) => this.store(job, { changesOnly: true }),
        remove: (job) => this.forget(job),
        relisted: (jobs) => this.relisted(namespace, jobs),
        restarting: (reason) => this.guard("onRestart", () => options.onRestart?.(reason)),
        changed: () => this.streamChanged(),
      },
    });
  }

  /** Runs until `signal` aborts. May run again later: it keeps its cache and relists. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error("JobWatch is already running");
    this.running = true;
    try {
      await Promise.all([
        ...this.streams.map((stream) => stream.run(signal)),
        this.retryOwedEvents(signal),
      ]);
    } finally {
      this.running = false;
      if (!this.isSynced) {
        this.firstSync.reject(new Error("JobWatch stopped before its first list completed"));
        this.firstSync = deferred();
      }
    }
  }

  /**
   * Hands every Job of the cache to the handler again, then a sync, as a relist would but
   * without asking the apiserver: after an outage of the handler's store, whatever it could not
   * apply is applied now. Events still owed go first, in order.
   */
  resync(): void {
    // Stopped (a standby): the cache may be stale, and the next run lists anyway.
    if (!this.running) return;
    this.owed.retry(this.jobs);
    for (const job of this.jobs.values()) this.owed.apply({ kind: "upsert", job });
    if (this.isSynced) this.owed.synced(this.jobs);
  }

  /** Resolves once every Job event so far was handled (or failed and is owed). */
  handled(): Promise<void> {
    return this.owed.idle();
  }

  private async retryOwedEvents(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      if (this.owed.size === 0) {
        failures = 0;
        await this.retryWaker.sleep(undefined, signal);
        continue;
      }
      await this.retryWaker.sleep(backoffDelay(++failures, HANDLER_RETRY), signal);
      this.owed.retry(this.jobs);
    }
  }

  /** True once the first list (of every namespace) completed. */
  get synced(): boolean {
    return this.isSynced;
  }

  /**
   * True while every stream is current: it has listed since its last failure and its watch is
   * open (or it is relisting after a 410 Gone), so the cache misses no change of the apiserver's.
   * False from the moment a list or watch fails until it has recovered, and while not running.
   */
  get current(): boolean {
    return this.isCurrent;
  }

  /**
   * True while a list or watch has failed and not yet recovered: the cache may miss changes.
   * False while current, while not running, and during a run's first list.
   */
  get failing(): boolean {
    return this.streams.some(({ state }) =>
      state.phase === "listing"
        ? state.after !== undefined
        : state.phase === "backoff" || state.phase === "reconnecting",
    );
  }

  /** True when current, else why not: one sentence per stream that is not (for /readyz). */
  readiness(now = Date.now()): true | string {
    const why = this.streams.map((s) => s.readiness(now)).filter((r) => r !== true);
    return why.length === 0 ? true : why.join("; ");
  }

  /** Calls `listener` each time `current` changes, with its new value (for gRPC health). */
  onCurrentChange(listener: (current: boolean) => void): void {
    this.currentListeners.push(listener);
  }

  /**
   * Tells the watch that the apiserver answered just now (e.g. a readiness probe's GET
   * /version): a stream waiting out a backoff tries again now instead of at the end of a wait
   * that grew up to `backoff.maxMs` during a long outage. See ListWatch.retrySoon.
   */
  apiserverAnswered(): void {
    for (const stream of this.streams) stream.retrySoon();
  }

  /** Resolves when the first list completed (for readiness); rejects if run ends first. */
  whenSynced(): Promise<void> {
    return this.firstSync.promise;
  }

  get(uid: string): JobSummary | undefined {
    return this.jobs.get(uid);
  }

  /**
   * Whether findByName answers: the watch runs and has listed every namespace in this run. A
   * watch stopped (on a standby replica) or not yet listed again keeps a cache that may be stale.
   */
  get answering(): boolean {
    return this.running && this.streams.every((s) => s.listed);
  }

  /** The Job of this name in the cache, while `answering`; else undefined. */
  findByName(namespace: string, name: string): JobSummary | undefined {
    if (!this.answering) return undefined;
    const uid = this.uidByName.get(`${namespace}/${name}`);
    return uid === undefined ? undefined : this.jobs.get(uid);
  }

  size(): number {
    return this.jobs.size;
  }

  /**
   * The Job of this name as the apiserver has it now, not as the cache does: the cache may lag
   * behind another replica's. Listed by name, so the watch's list right suffices.
   */
  async find(namespace: string, name: string): Promise<JobSummary | undefined> {
    const found = await this.api.getJson<V1JobList>(
      `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
      { fieldSelector: `metadata.name=${name}` },
    );
    const [job] = found.items;
    return job && summarizeJob(job);
  }

  /**
   * Brings the cache in line with a fresh list of one stream: Jobs it knew in the stream's
   * namespace but the list lacks are removed, every listed Job is upserted.
   */
  private relisted(namespace: string | undefined, listed: ReadonlyMap<string, JobSummary>): void {
    for (const known of this.jobs.values()) {
      const inStream = namespace === undefined || namespace === known.namespace;
      if (inStream && !listed.has(known.uid)) this.forget(known);
    }
    for (const job of listed.values()) this.store(job);
    this.options.log.info({ namespace, jobs: listed.size }, "listed jobs");
    if (this.streams.every((s) => s.listed)) this.markSynced();
  }

  private streamChanged(): void {
    const current = this.streams.every((s) => s.state.phase === "current");
    if (current === this.isCurrent) return;
    this.isCurrent = current;
    if (current && this.lostAt !== undefined) {
      this.options.log.info({ downMs: Date.now() - this.lostAt }, "job watch current");
    }
    this.lostAt = current ? undefined : Date.now();
    for (const listener of this.currentListeners) {
      this.guard("onCurrentChange", () => listener(current));
    }
  }

  private markSynced(): void {
    if (!this.isSynced) {
      this.isSynced = true;
      this.firstSync.resolve();
    }
    this.owed.synced(this.jobs);
  }

  // From the watch, a Job already known is handed on only when its outcome changed: a pod that
  // started or a label added changes no watcher, and in a burst most events are such.
  private store(job: JobSummary, o: { changesOnly?: boolean } = {}): void {
    const known = this.jobs.get(job.uid);
    this.jobs.set(job.uid, job);
    this.uidByName.set(`${job.namespace}/${job.name}`, job.uid);
    if (o.changesOnly && known && sameOutcome(known, job)) return;
    this.owed.apply({ kind: "upsert", job });
  }

  private forget(job: JobSummary): void {
    this.jobs.delete(job.uid);
    const key = `${job.namespace}/${job.name}`;
    // A Job recreated under the same name may already own the name.
    if (this.uidByName.get(key) === job.uid) this.uidByName.delete(key);
    this.owed.apply({ kind: "remove", job });
  }

  // The handler is someone else's code: its failure must not stop the watch.
  private guard(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.options.log.error({ err, handler: what }, "job watch handler failed");
    }
  }
}
