import type { V1Job, Watch } from "@kubernetes/client-node";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import { BackoffWait } from "./BackoffWait.js";
import { describeError, GONE, watchFailure, type WatchFailure } from "./watchFailure.js";
import { summarizeJob, type JobSummary } from "./jobSummary.js";
import {
  INITIAL_STREAM_STATE,
  streamReadiness,
  streamStateAfter,
  type StreamEvent,
  type StreamState,
} from "./streamState.js";

const WATCH = {
  // Like client-go, ask the server to end each watch after a random 5–10 minutes, so
  // connections are renewed and spread over apiserver replicas.
  minTimeoutSeconds: 300,
  // A watch neither ended nor closed this long after its timeout sits on a dead connection.
  stallGraceMs: 30_000,
  healthyAfterMs: 30_000,
} as const;

/** What a stream tells the cache it feeds (JobWatch). None of these may throw. */
export interface JobStreamSink {
  /** A watch event added or changed a Job. */
  upsert(job: JobSummary): void;
  /** A watch event deleted a Job. */
  remove(job: JobSummary): void;
  /** A complete (re)list: every Job now in `namespace` (undefined: all namespaces), by uid. */
  relisted(namespace: string | undefined, jobs: ReadonlyMap<string, JobSummary>): void;
  /** The list or watch failed and restarts after a backoff. */
  restarting(reason: string): void;
  /** The stream's StreamState changed. */
  changed(): void;
}

export interface JobStreamOptions {
  /** The one namespace to list and watch; undefined: all namespaces. */
  namespace: string | undefined;
  /** GET a path as plain JSON (KubeApi.getJson). */
  getJson: <T>(
    path: string,
    query: Record<string, string | number | undefined>,
    signal: AbortSignal,
  ) => Promise<T>;
  watcher: Watch;
  log: Logger;
  backoff: BackoffPolicy;
  pageSize: number;
  sink: JobStreamSink;
}

/** One page of a Job list as the server sends it. */
interface JobListPage {
  items: V1Job[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * One list+watch of Jobs, of one namespace or of all; internal to JobWatch, which keeps the cache.
 * Each run starts with a list; a watch that fails resumes from the last resourceVersion seen,
 * one the server no longer has (410 Gone) makes a relist.
 */
export class JobStream {
  /** Where the next watch starts; undefined until listed, and again after 410 Gone. */
  private resourceVersion: string | undefined;
  private hasListed = false;
  private current: StreamState = INITIAL_STREAM_STATE;
  private readonly waiting = new BackoffWait();
  /** When the last list or watch failed (epoch ms). */
  private failedAt = 0;

  constructor(private readonly o: JobStreamOptions) {}

  get namespace(): string | undefined {
    return this.o.namespace;
  }

  /** True once the current run's first list completed. */
  get listed(): boolean {
    return this.hasListed;
  }

  get state(): StreamState {
    return this.current;
  }

  /** True when current (listed since its last failure, watching), else why not. */
  readiness(now: number): true | string {
    const scope =
      this.namespace === undefined
        ? "Jobs in all namespaces"
        : `Jobs in namespace ${JSON.stringify(this.namespace)}`;
    return streamReadiness(this.current, scope, now);
  }

  /**
   * The apiserver answered just now: if the stream is waiting out a backoff, it tries again
   * now instead of at the end of a wait that doubled through a long outage, but no sooner than
   * `backoff.baseMs` after its failure, and once per wait. A try that fails again backs off
   * longer, as always; so an apiserver that answers but keeps failing the watch gets at most one
   * extra try per call.
   */
  retrySoon(): void {
    const retryAt = this.waiting.cut(this.failedAt + this.o.backoff.baseMs);
    if (retryAt !== undefined) this.note({ type: "rescheduled", retryAt });
  }

  /** Lists, then watches until `signal` aborts; every run starts over with a list. */
  async run(signal: AbortSignal): Promise<void> {
    this.resourceVersion = undefined;
    this.hasListed = false;
    let failures = 0;
    try {
      while (!signal.aborted) {
        const started = Date.now();
        const failure = await this.step(signal);
        // A list or watch that lasted was healthy: the next failure starts the backoff over.
        if (Date.now() - started >= WATCH.healthyAfterMs) failures = 0;
        if (failure) await this.restart(failure, ++failures, signal);
      }
    } finally {
      this.note({ type: "stopped" });
    }
  }

  private note(event: StreamEvent): void {
    const next = streamStateAfter(this.current, event);
    if (next === this.current) return;
    this.current = next;
    this.o.sink.changed();
  }

  /** Lists if the stream has no resourceVersion to resume from, else watches once. */
  private async step(signal: AbortSignal): Promise<WatchFailure | undefined> {
    if (this.resourceVersion !== undefined) return this.watchOnce(signal);
    this.note({ type: "list" });
    try {
      await this.relist(signal);
      return undefined;
    } catch (err) {
      return { gone: false, reason: `list failed: ${describeError(err)}` };
    }
  }

  /** Waits out the backoff after the stream's `failures`-th failure in a row (1 for the first). */
  private async restart(
    { gone, reason }: WatchFailure,
    failures: number,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    if (gone) this.resourceVersion = undefined;
    // 410 Gone is an answer: the server is up and only the version is lost, so relist at once.
    const delayMs = gone ? 0 : backoffDelay(failures, this.o.backoff);
    // Logged first: the log's time plus delayMs is never after the next try.
    this.o.log.warn({ namespace: this.namespace, reason, delayMs }, "restarting job watch");
    this.failedAt = Date.now();
    this.note({ type: "failed", reason, gone, retryAt: this.failedAt + delayMs });
    this.o.sink.restarting(reason);
    if (delayMs === 0) return;
    if ((await this.waiting.wait(this.failedAt + delayMs, signal)) === "early") {
      this.o.log.info({ namespace: this.namespace }, "retrying job watch early");
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const { listed, resourceVersion } = await this.listAll(signal);
    this.resourceVersion = resourceVersion;
    this.hasListed = true;
    this.o.sink.relisted(this.namespace, listed);
    this.note({ type: "listed" });
  }

  // Pages of one consistent snapshot; nothing is applied until the last page is in, so a
  // failed page (an expired continue token is 410) leaves the cache as it was.
  private async listAll(
    signal: AbortSignal,
  ): Promise<{ listed: Map<string, JobSummary>; resourceVersion: string }> {
    const listed = new Map<string, JobSummary>();
    let page: JobListPage | undefined;
    do {
      page = await this.listPage(page?.metadata?.continue, signal);
      for (const job of page.items) this.summarize(job, (s) => listed.set(s.uid, s));
    } while (page.metadata?.continue);
    const resourceVersion = page.metadata?.resourceVersion;
    if (!resourceVersion) throw new Error("the Job list carries no resourceVersion");
    return { listed, resourceVersion };
  }

  // Plain JSON: summarizing needs a few fields, not client-node's model of every Job.
  private listPage(token: string | undefined, signal: AbortSignal): Promise<JobListPage> {
    return this.o.getJson<JobListPage>(
      this.path(),
      { limit: this.o.pageSize, continue: token },
      signal,
    );
  }

  private path(): string {
    return this.namespace === undefined
      ? "/apis/batch/v1/jobs"
      : `/apis/batch/v1/namespaces/${encodeURIComponent(this.namespace)}/jobs`;
  }

  /**
   * One watch request, from the stream's resourceVersion until it ends; never throws. Resolves
   * undefined when the server ended it at the timeout asked for, the one healthy end.
   */
  private watchOnce(signal: AbortSignal): Promise<WatchFailure | undefined> {
    const timeoutSeconds = Math.floor(WATCH.minTimeoutSeconds * (1 + Math.random()));
    const started = Date.now();
    const path = this.path();
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    this.note({ type: "watch" });
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
        const failure = ended ? undefined : this.apply(type, object);
        if (failure) end(failure);
      };
      const onDone = (err: unknown): void => {
        if (err) end(watchFailure(err));
        // The server ends a watch cleanly at its timeout; earlier is a failure worth a backoff.
        else if (Date.now() - started >= timeoutSeconds * 1000) end(undefined);
        else end({ gone: false, reason: "watch closed by the server" });
      };
      this.o.watcher.watch(path, query, onEvent, onDone).then(
        (controller) => {
          request = controller;
          // watch() resolves after the response's headers; a refusal has ended it already.
          if (ended) controller.abort();
          else this.note({ type: "opened" });
        },
        (err: unknown) => end(watchFailure(err)),
      );
    });
  }

  /** Applies one watch event; returns how the watch ends if the event ends it. */
  private apply(type: string, object: unknown): WatchFailure | undefined {
    if (type === "ERROR") {
      const status = object as { code?: number; reason?: string; message?: string };
      const reason = `watch error ${status.code ?? "?"} ${status.reason ?? ""}: ${status.message ?? ""}`;
      return { gone: status.code === GONE, reason };
    }
    this.note({ type: "progress" });
    const job = object as V1Job;
    if (type === "ADDED" || type === "MODIFIED") this.summarize(job, (s) => this.o.sink.upsert(s));
    else if (type === "DELETED") this.summarize(job, (s) => this.o.sink.remove(s));
    // BOOKMARK carries nothing but how far the stream got: resuming from there skips nothing.
    this.resourceVersion = job.metadata?.resourceVersion ?? this.resourceVersion;
    return undefined;
  }

  private summarize(job: V1Job, then: (summary: JobSummary) => void): void {
    let summary: JobSummary;
    try {
      summary = summarizeJob(job);
    } catch (err) {
      this.o.log.error({ err }, "skipping a Job that cannot be summarized");
      return;
    }
    then(summary);
  }
}
