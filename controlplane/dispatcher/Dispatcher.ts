import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { ControlplaneMetrics } from "../metrics.js";
import type { Store } from "../store/Store.js";
import { TriggerStatus, type Delivery, type Watcher } from "../watchers/model.js";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import { sendAttempt, type AttemptResult } from "./sendAttempt.js";

export interface DispatcherOptions {
  store: Store;
  log: Logger;
  metrics: ControlplaneMetrics;
  /** Attempts in flight at once, over all webhooks. */
  concurrency: number;
  /** One HTTP attempt's limit (also cut short by the delivery's deadline). */
  attemptTimeoutMs: number;
  backoff: BackoffPolicy;
  /** After SIGTERM, how long in-flight attempts may finish before they are aborted and handed back. */
  shutdownGraceMs: number;
  /** A delivery made progress or ended; its watcher as it is now. */
  onProgress: (w: Watcher) => void;
  now?: () => Date;
}

interface InFlight {
  watcherId: string;
  abort: AbortController;
  done: Promise<void>;
}

// With no delivery due, look at the outbox again after this long anyway.
const IDLE_POLL_MS = 30_000;

/**
 * Works through the outbox: sends each due delivery, and records the result in the same
 * transaction that removes the row (so a crash between the POST and the record means the POST is
 * sent again: at-least-once, with the same webhook-id).
 */
export class Dispatcher implements Part {
  readonly name = "dispatcher";
  private readonly inFlight = new Map<string, InFlight>();
  private readonly now: () => Date;
  private readonly waker = new Waker();

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? ((): Date => new Date());
  }

  /** New deliveries were queued, or a slot freed: look at the outbox now. */
  kick(): void {
    this.waker.wake();
  }

  /** A watcher ended: stop its attempts in flight (their rows are gone already). */
  abortWatcher(watcherId: string): void {
    for (const f of this.inFlight.values()) if (f.watcherId === watcherId) f.abort.abort();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.fill();
      const full = this.inFlight.size >= this.o.concurrency;
      const next = full
        ? undefined
        : this.o.store.deliveries.nextDue(new Set(this.inFlight.keys()));
      const delay = next ? Math.max(0, next.getTime() - this.now().getTime()) : IDLE_POLL_MS;
      await this.waker.sleep(full ? undefined : Math.min(delay, IDLE_POLL_MS), signal);
    }
    await this.drain();
  }

  private fill(): void {
    const free = this.o.concurrency - this.inFlight.size;
    if (free <= 0) return;
    for (const d of this.o.store.deliveries.due(this.now(), free, new Set(this.inFlight.keys()))) {
      this.start(d);
    }
  }

  private start(d: Delivery): void {
    const abort = new AbortController();
    const startedAt = this.now();
    const remaining = d.deadlineAt.getTime() - startedAt.getTime();
    const done = (async (): Promise<void> => {
      // Past the deadline after an earlier try (e.g. after downtime): give up without sending.
      // A delivery never tried at all still gets its one attempt.
      const result: AttemptResult =
        remaining <= 0 && d.attempts > 0
          ? { kind: "retry", error: "the delivery deadline passed", durationMs: 0 }
          : await sendAttempt({
              id: d.id,
              url: d.url,
              body: d.body,
              contentType: d.contentType,
              ...(d.secret !== undefined && { secret: d.secret }),
              timeoutMs:
                remaining > 0
                  ? Math.min(this.o.attemptTimeoutMs, remaining)
                  : this.o.attemptTimeoutMs,
              signal: abort.signal,
            });
      this.record(d, result, startedAt);
    })()
      // sendAttempt throws only for a delivery it cannot send at all (a bad URL or secret that
      // slipped past validation): end it rather than retry it forever.
      .catch((err: unknown) => {
        const error = `cannot be sent: ${err instanceof Error ? err.message : String(err)}`;
        this.record(d, { kind: "rejected", status: 0, error, durationMs: 0 }, startedAt);
      })
      .catch((err: unknown) => {
        this.o.log.error({ err, delivery: d.id }, "recording a delivery attempt failed");
      })
      .finally(() => {
        this.inFlight.delete(d.id);
        this.waker.wake();
      });
    this.inFlight.set(d.id, { watcherId: d.watcherId, abort, done });
  }

  private record(d: Delivery, r: AttemptResult, calledAt: Date): void {
    const m = this.o.metrics;
    if (r.kind === "aborted") {
      m.deliveries.inc({ outcome: "aborted" });
      return; // the row stays in the outbox, due as before
    }
    m.attemptDuration.observe(r.durationMs / 1000);
    const attempts = d.attempts + 1;
    const now = this.now();
    if (r.kind === "retry") {
      const delay = Math.max(backoffDelay(attempts, this.o.backoff), r.retryAfterMs ?? 0);
      const next = new Date(now.getTime() + delay);
      if (next < d.deadlineAt) {
        m.deliveries.inc({ outcome: "retry" });
        this.o.store.watchers.recordRetry(d.id, next, {
          status: TriggerStatus.NOT_CALLED,
          attempts,
          lastError: r.error,
          calledAt,
        });
        this.progress(d.watcherId);
        return;
      }
      m.deliveries.inc({ outcome: "timeout" });
      this.finish(
        d,
        {
          status: TriggerStatus.TIMEOUT,
          attempts,
          lastError: `${r.error}; no 2xx before the delivery deadline`,
          calledAt,
        },
        now,
      );
      return;
    }
    if (r.kind === "delivered") {
      m.deliveries.inc({ outcome: "delivered" });
      m.deliveryLatency.observe((now.getTime() - d.createdAt.getTime()) / 1000);
      this.finish(d, { status: TriggerStatus.CALLED, attempts, lastError: "", calledAt }, now);
      return;
    }
    m.deliveries.inc({ outcome: "rejected" });
    this.finish(d, { status: TriggerStatus.FAILED, attempts, lastError: r.error, calledAt }, now);
  }

  private finish(
    d: Delivery,
    result: Parameters<Store["watchers"]["finishDelivery"]>[1],
    now: Date,
  ): void {
    const w = this.o.store.watchers.finishDelivery(d.id, result, now);
    if (w) this.o.onProgress(w);
  }

  private progress(watcherId: string): void {
    const w = this.o.store.watchers.get(watcherId);
    if (w) this.o.onProgress(w);
  }

  // Let attempts in flight finish for a while; abort the rest, which stay in the outbox.
  private async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    this.o.log.info({ inFlight: this.inFlight.size }, "waiting for deliveries in flight");
    const all = Promise.all([...this.inFlight.values()].map((f) => f.done));
    const timer = setTimeout(() => {
      for (const f of this.inFlight.values()) f.abort.abort();
    }, this.o.shutdownGraceMs);
    await all;
    clearTimeout(timer);
  }
}
