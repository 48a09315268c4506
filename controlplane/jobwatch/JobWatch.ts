import { BatchV1Api, Watch } from "@kubernetes/client-node";
import type { KubeConfig, V1Job, V1JobList } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { summarizeJob, type JobSummary } from "./jobSummary.js";

export interface JobWatchHandler {
  /** A Job was added or changed (also called for every Job after each (re)list). */
  upsert(job: JobSummary): void;
  /** A Job is gone: a DELETED event, or absent from a relist although we knew it. */
  remove(job: JobSummary): void;
  /**
   * After each complete (re)list: the summaries of every Job now known (the live cache; do not
   * keep it). With several namespaces, first called once every namespace has been listed.
   */
  synced(jobs: ReadonlyMap<string, JobSummary>): void;
}

export interface JobWatchOptions {
  /** Watch only these namespaces, one list+watch each. Default (or empty): all namespaces. */
  namespaces?: string[];
  handler: JobWatchHandler;
  log: Logger;
  /**
   * Delay before restarting a failed list or watch: doubles per failure, with jitter, between
   * half and all of the doubled value. Default `{ baseMs: 500, maxMs: 30000 }`: waits of
   * 250–500 ms, 500–1000 ms, 1–2 s, … up to 15–30 s. A watch that lived 30 s resets it.
   */
  backoff?: { baseMs: number; maxMs: number };
  /** Called with the reason each time a list or watch is restarted after a failure. */
  onRestart?: (reason: string) => void;
  /** Jobs per list page. Default 500. */
  pageSize?: number;
}

const DEFAULTS = { backoff: { baseMs: 500, maxMs: 30_000 }, pageSize: 500 } as const;

const WATCH = {
  // Like client-go, ask the server to end each watch after a random 5–10 minutes, so
  // connections are renewed and spread over apiserver replicas.
  minTimeoutSeconds: 300,
  // A watch neither ended nor closed this long after its timeout sits on a dead connection.
  stallGraceMs: 30_000,
  healthyAfterMs: 30_000,
  GONE: 410,
} as const;

/** One list+watch: of all namespaces (namespace undefined), or of one namespace. */
interface Stream {
  readonly namespace: string | undefined;
  /** Where the next watch starts; undefined until listed, and again after 410 Gone. */
  resourceVersion: string | undefined;
  listed: boolean;
}

/** Why a list or watch stopped early; `gone` when the server no longer has its version. */
interface WatchFailure {
  gone: boolean;
  reason: string;
}

/**
 * Keeps a summary of every batch/v1 Job, by list then watch, and tells a handler what changes.
 * Each run starts with a list; a watch that fails resumes from the last resourceVersion seen,
 * one the server no longer has (410 Gone) makes a relist, diffed against the cache.
 */
export class JobWatch implements Part {
  readonly name = "jobwatch";
  private readonly batch: BatchV1Api;
  private readonly watcher: Watch;
  private readonly streams: Stream[];
  private readonly jobs = new Map<string, JobSummary>();
  private readonly uidByName = new Map<string, string>();
  private firstSync = deferred();
  private isSynced = false;
  private running = false;

  constructor(
    kc: KubeConfig,
    private readonly options: JobWatchOptions,
  ) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.watcher = new Watch(kc);
    const namespaces = [...new Set(options.namespaces)];
    this.streams = (namespaces.length > 0 ? namespaces : [undefined]).map((namespace) => ({
      namespace,
      resourceVersion: undefined,
      listed: false,
    }));
  }

  /** Runs until `signal` aborts. May run again later: it keeps its cache and relists. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error("JobWatch is already running");
    this.running = true;
    for (const stream of this.streams) {
      stream.resourceVersion = undefined;
      stream.listed = false;
    }
    try {
      await Promise.all(this.streams.map((stream) => this.runStream(stream, signal)));
    } finally {
      this.running = false;
      if (!this.isSynced) {
        this.firstSync.reject(new Error("JobWatch stopped before its first list completed"));
        this.firstSync = deferred();
      }
    }
  }

  /** True once the first list (of every namespace) completed. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Resolves when the first list completed (for readiness); rejects if run ends first. */
  whenSynced(): Promise<void> {
    return this.firstSync.promise;
  }

  get(uid: string): JobSummary | undefined {
    return this.jobs.get(uid);
  }

  findByName(namespace: string, name: string): JobSummary | undefined {
    const uid = this.uidByName.get(`${namespace}/${name}`);
    return uid === undefined ? undefined : this.jobs.get(uid);
  }

  size(): number {
    return this.jobs.size;
  }

  private async runStream(stream: Stream, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      const failure = await this.step(stream, signal);
      if (Date.now() - started >= WATCH.healthyAfterMs) failures = 0;
      if (failure) await this.restart(stream, failure, failures++, signal);
    }
  }

  /** Lists if the stream has no resourceVersion to resume from, else watches once. */
  private async step(stream: Stream, signal: AbortSignal): Promise<WatchFailure | undefined> {
    if (stream.resourceVersion !== undefined) return this.watchOnce(stream, signal);
    try {
      await this.relist(stream, signal);
      return undefined;
    } catch (err) {
      return { gone: false, reason: `list failed: ${describe(err)}` };
    }
  }

  private async restart(
    stream: Stream,
    { gone, reason }: WatchFailure,
    failures: number,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    if (gone) stream.resourceVersion = undefined;
    const delayMs = this.backoffDelay(failures);
    this.options.log.warn({ namespace: stream.namespace, reason, delayMs }, "restarting job watch");
    this.guard("onRestart", () => this.options.onRestart?.(reason));
    await sleep(delayMs, undefined, { signal }).catch(() => undefined);
  }

  /**
   * Brings the cache in line with a fresh list of the stream: Jobs it knew but the list lacks
   * are removed, every listed Job is upserted. Every (re)list goes here.
   */
  private async relist(stream: Stream, signal: AbortSignal): Promise<void> {
    const { listed, resourceVersion } = await this.listAll(stream, signal);
    for (const known of this.jobs.values()) {
      const inStream = stream.namespace === undefined || stream.namespace === known.namespace;
      if (inStream && !listed.has(known.uid)) this.forget(known);
    }
    for (const job of listed.values()) this.store(job);
    stream.resourceVersion = resourceVersion;
    stream.listed = true;
    this.options.log.info({ namespace: stream.namespace, jobs: listed.size }, "listed jobs");
    if (this.streams.every((s) => s.listed)) this.markSynced();
  }

  // Pages of one consistent snapshot; nothing is applied until the last page is in, so a
  // failed page (an expired continue token is 410) leaves the cache as it was.
  private async listAll(
    stream: Stream,
    signal: AbortSignal,
  ): Promise<{ listed: Map<string, JobSummary>; resourceVersion: string }> {
    const listed = new Map<string, JobSummary>();
    let page: V1JobList | undefined;
    do {
      page = await abortable(this.listPage(stream, page?.metadata?._continue), signal);
      for (const job of page.items) this.summarize(job, (s) => listed.set(s.uid, s));
    } while (page.metadata?._continue);
    const resourceVersion = page.metadata?.resourceVersion;
    if (!resourceVersion) throw new Error("the Job list carries no resourceVersion");
    return { listed, resourceVersion };
  }

  private listPage(stream: Stream, token: string | undefined): Promise<V1JobList> {
    const page = { limit: this.options.pageSize ?? DEFAULTS.pageSize, _continue: token };
    return stream.namespace === undefined
      ? this.batch.listJobForAllNamespaces(page)
      : this.batch.listNamespacedJob({ ...page, namespace: stream.namespace });
  }

  private markSynced(): void {
    if (!this.isSynced) {
      this.isSynced = true;
      this.firstSync.resolve();
    }
    this.guard("synced", () => this.options.handler.synced(this.jobs));
  }

  /**
   * One watch request, from the stream's resourceVersion until it ends; never throws. Resolves
   * undefined when the server ended it at the timeout asked for, the one healthy end.
   */
  private watchOnce(stream: Stream, signal: AbortSignal): Promise<WatchFailure | undefined> {
    const timeoutSeconds = Math.floor(WATCH.minTimeoutSeconds * (1 + Math.random()));
    const started = Date.now();
    const path =
      stream.namespace === undefined
        ? "/apis/batch/v1/jobs"
        : `/apis/batch/v1/namespaces/${encodeURIComponent(stream.namespace)}/jobs`;
    const query = {
      resourceVersion: stream.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    return new Promise((resolve) => {
      let request: AbortController | undefined;
      let ended = false;
      const end = (result: WatchFailure | undefined): void => {
        if (ended) return;
        ended = true;
        clearTimeout(stall);
        signal.removeEventListener("abort", onAbort);
        request?.abort();
        resolve(result);
      };
      const onAbort = (): void => end({ gone: false, reason: "aborted" });
      const stall = setTimeout(
        () => end({ gone: false, reason: "watch stalled" }),
        timeoutSeconds * 1000 + WATCH.stallGraceMs,
      );
      signal.addEventListener("abort", onAbort, { once: true });
      const onEvent = (type: string, object: unknown): void => {
        const failure = ended ? undefined : this.apply(stream, type, object);
        if (failure) end(failure);
      };
      const onDone = (err: unknown): void => {
        if (err) end(watchFailure(err));
        // The server ends a watch cleanly at its timeout; earlier is a failure worth a backoff.
        else if (Date.now() - started >= timeoutSeconds * 1000) end(undefined);
        else end({ gone: false, reason: "watch closed by the server" });
      };
      this.watcher.watch(path, query, onEvent, onDone).then(
        (controller) => {
          request = controller;
          if (ended) controller.abort();
        },
        (err: unknown) => end(watchFailure(err)),
      );
    });
  }

  /** Applies one watch event; returns how the watch ends if the event ends it. */
  private apply(stream: Stream, type: string, object: unknown): WatchFailure | undefined {
    if (type === "ERROR") {
      const status = object as { code?: number; reason?: string; message?: string };
      const reason = `watch error ${status.code ?? "?"} ${status.reason ?? ""}: ${status.message ?? ""}`;
      return { gone: status.code === WATCH.GONE, reason };
    }
    const job = object as V1Job;
    if (type === "ADDED" || type === "MODIFIED") this.summarize(job, (s) => this.store(s));
    else if (type === "DELETED") this.summarize(job, (s) => this.forget(s));
    // BOOKMARK carries nothing but how far the stream got: resuming from there skips nothing.
    stream.resourceVersion = job.metadata?.resourceVersion ?? stream.resourceVersion;
    return undefined;
  }

  private summarize(job: V1Job, then: (summary: JobSummary) => void): void {
    let summary: JobSummary;
    try {
      summary = summarizeJob(job);
    } catch (err) {
      this.options.log.error({ err }, "skipping a Job that cannot be summarized");
      return;
    }
    then(summary);
  }

  private store(job: JobSummary): void {
    this.jobs.set(job.uid, job);
    this.uidByName.set(`${job.namespace}/${job.name}`, job.uid);
    this.guard("upsert", () => this.options.handler.upsert(job));
  }

  private forget(job: JobSummary): void {
    this.jobs.delete(job.uid);
    const key = `${job.namespace}/${job.name}`;
    // A Job recreated under the same name may already own the name.
    if (this.uidByName.get(key) === job.uid) this.uidByName.delete(key);
    this.guard("remove", () => this.options.handler.remove(job));
  }

  // The handler is someone else's code: its failure must not stop the watch.
  private guard(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.options.log.error({ err, handler: what }, "job watch handler failed");
    }
  }

  private backoffDelay(failures: number): number {
    const { baseMs, maxMs } = this.options.backoff ?? DEFAULTS.backoff;
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 30));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function watchFailure(err: unknown): WatchFailure {
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  return { gone: statusCode === WATCH.GONE, reason: `watch failed: ${describe(err)}` };
}

// Watch errors carry statusCode, client-node ApiExceptions code.
function describe(err: unknown): string {
  const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
  const status = statusCode ?? code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof status === "number" ? `HTTP ${status}: ${message}` : message;
}

/** Settles like `work`, or rejects as soon as `signal` aborts (the request is left to finish). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("aborted"));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting when the first run ends early; that is no unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
