import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import { BackoffWait } from "./BackoffWait.js";
import { callSignal } from "./callSignal.js";
import type { KubeApi, Query } from "./KubeApi.js";
import { describeError, GONE, watchFailure, type WatchFailure } from "./watchFailure.js";
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
  // A watch neither ended nor closed this long after its timeout sits on a dead connection:
  // the one bound on a watch's silence (KubeApi bounds the wait for its headers).
  stallGraceMs: 30_000,
  healthyAfterMs: 30_000,
} as const;

/** What a list+watch tells whoever keeps its objects. None of these may throw. */
export interface ListWatchSink<T> {
  /** A watch event added or changed an object. */
  upsert(item: T): void;
  /** A watch event deleted an object. */
  remove(item: T): void;
  /** A complete (re)list: every object there is now, by key. */
  relisted(items: ReadonlyMap<string, T>): void;
  /** The list or watch failed and restarts after a backoff. */
  restarting(reason: string): void;
  /** The stream's StreamState changed. */
  changed(): void;
}

export interface ListWatchOptions<T> {
  api: KubeApi;
  /** The collection, e.g. /apis/batch/v1/namespaces/NS/jobs. */
  path: string;
  /** Added to every list and watch, e.g. a fieldSelector. */
  query?: Query;
  /** What is listed, for logs and readiness, e.g. "Jobs in all namespaces". */
  scope: string;
  /** The object as the sink keeps it; throws for one to skip (logged). */
  decode: (object: unknown) => T;
  /** The key of a decoded object in a relist's map (a uid, a name). */
  key: (item: T) => string;
  log: Logger;
  backoff: BackoffPolicy;
  pageSize: number;
  sink: ListWatchSink<T>;
}

/** One page of a list as the server sends it. */
interface ListPage {
  items: unknown[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * One list+watch of one kind of object (Jobs for JobWatch, the webhook configuration for
 * CaBundleKeeper), on the process's KubeApi. Each run starts with a list; a watch that fails
 * resumes from the last resourceVersion seen, one the server no longer has (410 Gone) makes a
 * relist; other failures back off before the next try. Whoever runs it keeps the objects.
 */
export class ListWatch<T> {
  /** Where the next watch starts; undefined until listed, and again after 410 Gone. */
  private resourceVersion: string | undefined;
  private hasListed = false;
  private current: StreamState = INITIAL_STREAM_STATE;
  private readonly waiting = new BackoffWait();
  /** When the last list or watch failed (epoch ms). */
  private failedAt = 0;

  constructor(private readonly o: ListWatchOptions<T>) {}

  /** True once the current run's first list completed. */
  get listed(): boolean {
    return this.hasListed;
  }

  get state(): StreamState {
    return this.current;
  }

  /** True when current (listed since its last failure, watching), else why not. */
  readiness(now: number): true | string {
    return streamReadiness(this.current, this.o.scope, now);
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
    this.o.log.warn({ scope: this.o.scope, reason, delayMs }, "restarting list+watch");
    this.failedAt = Date.now();
    this.note({ type: "failed", reason, gone, retryAt: this.failedAt + delayMs });
    this.o.sink.restarting(reason);
    if (delayMs === 0) return;
    if ((await this.waiting.wait(this.failedAt + delayMs, signal)) === "early") {
      this.o.log.info({ scope: this.o.scope }, "retrying list+watch early");
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const { listed, resourceVersion } = await this.listAll(signal);
    this.resourceVersion = resourceVersion;
    this.hasListed = true;
    this.o.sink.relisted(listed);
    this.note({ type: "listed" });
  }

  // Pages of one consistent snapshot; nothing is applied until the last page is in, so a
  // failed page (an expired continue token is 410) leaves the cache as it was.
  private async listAll(
    signal: AbortSignal,
  ): Promise<{ listed: Map<string, T>; resourceVersion: string }> {
    const listed = new Map<string, T>();
    let token: string | undefined;
    let resourceVersion: string | undefined;
    do {
      // Only the page being read is held: while the next is fetched, this one is garbage a
      // young-generation collection frees, rather than a few MB promoted to the old generation
      // for every page of a large list.
      const page = await this.listPage(token, signal);
      for (const item of page.items) this.decode(item, (d) => listed.set(this.o.key(d), d));
      token = page.metadata?.continue;
      resourceVersion = page.metadata?.resourceVersion;
    } while (token);
    if (!resourceVersion) throw new Error(`the list of ${this.o.scope} carries no resourceVersion`);
    return { listed, resourceVersion };
  }

  // Plain JSON: a decoder needs a few fields, not client-node's model of every object.
  private listPage(token: string | undefined, signal: AbortSignal): Promise<ListPage> {
    const query = { ...this.o.query, limit: this.o.pageSize, continue: token };
    return this.o.api.getJson<ListPage>(this.o.path, query, signal);
  }

  /**
   * One watch request, from the stream's resourceVersion until it ends; never throws. Resolves
   * undefined when the server ended it at the timeout asked for, the one healthy end.
   */
  private async watchOnce(signal: AbortSignal): Promise<WatchFailure | undefined> {
    const timeoutSeconds = Math.floor(WATCH.minTimeoutSeconds * (1 + Math.random()));
    const started = Date.now();
    const query = {
      ...this.o.query,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
    };
    this.note({ type: "watch" });
    // A watch neither ended nor closed well past its timeout sits on a dead connection.
    const call = callSignal(signal, timeoutSeconds * 1000 + WATCH.stallGraceMs);
    let failure: WatchFailure | undefined;
    const handlers = {
      onOpen: () => this.note({ type: "opened" }),
      onEvent: (type: string, object: unknown) => {
        failure ??= this.apply(type, object);
        if (failure) call.cancel();
      },
    };
    try {
      await this.o.api.watch(this.o.path, query, handlers, call.signal);
    } catch (err) {
      return failure ?? whyEnded(err, signal, call.timedOut);
    } finally {
      call.done();
    }
    // The server ends a watch cleanly at its timeout; earlier is a failure worth a backoff.
    if (failure || Date.now() - started >= timeoutSeconds * 1000) return failure;
    return { gone: false, reason: "watch closed by the server" };
  }

  /** Applies one watch event; returns how the watch ends if the event ends it. */
  private apply(type: string, object: unknown): WatchFailure | undefined {
    if (type === "ERROR") return watchError(object);
    this.note({ type: "progress" });
    if (type === "ADDED" || type === "MODIFIED") this.decode(object, (d) => this.o.sink.upsert(d));
    else if (type === "DELETED") this.decode(object, (d) => this.o.sink.remove(d));
    // BOOKMARK carries nothing but how far the stream got: resuming from there skips nothing.
    this.resourceVersion = resourceVersionOf(object) ?? this.resourceVersion;
    return undefined;
  }

  private decode(object: unknown, then: (item: T) => void): void {
    let item: T;
    try {
      item = this.o.decode(object);
    } catch (err) {
      this.o.log.error({ err, scope: this.o.scope }, "skipping an object that cannot be decoded");
      return;
    }
    then(item);
  }
}

function whyEnded(err: unknown, signal: AbortSignal, stalled: boolean): WatchFailure {
  if (signal.aborted) return { gone: false, reason: "aborted" };
  if (stalled) return { gone: false, reason: "watch stalled" };
  return watchFailure(err);
}

// An ERROR event carries a Status: 410 Gone means the version asked for is no longer kept.
function watchError(object: unknown): WatchFailure {
  const status = object as { code?: number; reason?: string; message?: string };
  const reason = `watch error ${status.code ?? "?"} ${status.reason ?? ""}: ${status.message ?? ""}`;
  return { gone: status.code === GONE, reason };
}

function resourceVersionOf(object: unknown): string | undefined {
  return (object as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
}
