import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { ControlplaneMetrics } from "../metrics.js";
import type { Store } from "../store/Store.js";
import type { Delivery, SecretRef, Watcher, WatcherStatus } from "../watchers/model.js";
import {
  readAttemptView,
  settleAttempt,
  settlesWatcher,
  type AttemptView,
} from "./settleAttempt.js";
import { AttemptBatches } from "./AttemptBatches.js";
import type { BackoffPolicy } from "../../common/backoff.js";
import { decideAttempt, type AttemptStep } from "./decideAttempt.js";
import { runStoreLoop } from "../store/runStoreLoop.js";
import { pollCap } from "../store/sharedPoll.js";
import { outageReason } from "../store/StoreHealth.js";
import type { Busy } from "../store/DeliveryRepo.js";
import { attemptDelivery, deadlinePassed } from "./attemptDelivery.js";
import { countAttempt } from "./countAttempt.js";
import type { AttemptResult } from "./sendAttempt.js";
import type { Egress } from "../egress/Egress.js";

export interface DispatcherOptions {
  store: Store;
  log: Logger;
  metrics: ControlplaneMetrics;
  /** Attempts in flight at once, over all webhooks. */
  concurrency: number;
  /**
   * Attempts in flight at once to one destination (scheme://host:port), so a receiver that
   * stalls holds at most this many slots and the others keep their pace.
   */
  perDestination: number;
  /** One HTTP attempt's limit (also cut short by the delivery's deadline). */
  attemptTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Where attempts may connect (--deny-destinations, --allow-destinations), and the pool. */
  egress: Egress;
  /** After SIGTERM, how long in-flight attempts may finish before they are aborted and handed back. */
  shutdownGraceMs: number;
  /**
   * An attempt was recorded for a watcher; `status` is what the watcher became when the attempt
   * changed it (a last trigger settled), undefined when it did not. Said without reading the
   * watcher again: in a burst, every read counts.
   */
  onProgress: (watcherId: string, status: WatcherStatus | undefined) => void;
  /**
   * The signing secret of a delivery that names a Secret (read at each attempt, so a rotated one
   * signs the next); throws when it cannot be read, and the attempt is retried later.
   */
  secretOf?: (ref: SecretRef) => Promise<string>;
  /** An attempt was recorded, with the watcher it was for (read again for a retry). */
  onAttempt?: (d: Delivery, step: AttemptStep, watcher: Watcher | undefined) => void;
  /** @internal false: no attempt log rows (the benchmark's measure of what they cost). */
  attemptLog?: boolean;
  /** A webhook failing for this long without a success is disabled (0 or absent: never); */
  disableAfterMs?: number | undefined;
  /** the attempt `d` that disabled it is told after onAttempt, with the same watcher. */
  onWebhookDisabled?: (d: Delivery, watcher: Watcher | undefined) => void;
  now?: () => Date;
}

interface InFlight {
  watcherId: string;
  destination: string;
  abort: AbortController;
  done: Promise<void>;
}

/** An attempt made whose result the store could not record yet: never sent again meanwhile. */
interface Held {
  d: Delivery;
  result: AttemptResult;
  calledAt: Date;
}

// A retry, or a redelivery's result, writes only the outbox row and the trigger: nothing to read.
const NOTHING_READ: AttemptView = { watcher: undefined, others: [] };

// A delivery handed to this replica is left to it for its attempt's limit and this much more,
// to record the result; a replica that dies leaves its deliveries to the others after that.
export const CLAIM_MARGIN_MS = 5000;

// With no delivery due, look at the outbox again after this long anyway.
const IDLE_POLL_MS = 30_000;

/**
 * Works through the outbox: sends each due delivery, and records the result in the same
 * transaction that removes the row (so a crash between the POST and the record means the POST is
 * sent again: at-least-once, with the same webhook-id). A result the store cannot record (a full
 * disk) is held in memory and recorded once the store writes again; meanwhile its delivery is
 * not sent again and no new attempt starts.
 */
export class Dispatcher implements Part {
  readonly name = "dispatcher";
  private readonly inFlight = new Map<string, InFlight>();
  private readonly held = new Map<string, Held>();
  private readonly now: () => Date;
  private readonly waker = new Waker();
  private readonly batches: AttemptBatches;

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? ((): Date => new Date());
    this.batches = new AttemptBatches(o.store.watchers);
  }

  /** No attempt is in flight or waiting to be recorded. */
  get idle(): boolean {
    return this.inFlight.size === 0 && this.held.size === 0;
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
    await runStoreLoop(
      {
        health: this.o.store.health,
        log: this.o.log,
        waker: this.waker,
        turn: async () => {
          await this.recordHeld();
          await this.fill();
          return pollCap(this.o.store.shared, await this.nextDelay());
        },
      },
      signal,
    );
    await this.drain();
  }

  private busy(): Busy {
    const perDestination = new Map<string, number>();
    for (const f of this.inFlight.values()) {
      perDestination.set(f.destination, (perDestination.get(f.destination) ?? 0) + 1);
    }
    return {
      ids: new Set([...this.inFlight.keys(), ...this.held.keys()]),
      perDestination,
      destinationCap: this.o.perDestination,
      claimUntil: new Date(this.now().getTime() + this.o.attemptTimeoutMs + CLAIM_MARGIN_MS),
    };
  }

  // Undefined: sleep until woken (every slot taken; a finishing attempt wakes the loop).
  private async nextDelay(): Promise<number | undefined> {
    if (this.inFlight.size >= this.o.concurrency) return undefined;
    const next = await this.o.store.deliveries.nextDue(this.busy());
    const delay = next ? Math.max(0, next.getTime() - this.now().getTime()) : IDLE_POLL_MS;
    return Math.min(delay, IDLE_POLL_MS);
  }

  private async fill(): Promise<void> {
    const free = this.o.concurrency - this.inFlight.size;
    if (free <= 0) return;
    for (const d of await this.o.store.deliveries.due(this.now(), free, this.busy())) {
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
          ? deadlinePassed(d)
          : await attemptDelivery(d, {
              timeoutMs:
                remaining > 0
                  ? Math.min(this.o.attemptTimeoutMs, remaining)
                  : this.o.attemptTimeoutMs,
              signal: abort.signal,
              egress: this.o.egress,
              now: startedAt,
              ...(this.o.secretOf && { secretOf: this.o.secretOf }),
            });
      // Still in flight until recorded: the outbox row is not handed out again meanwhile.
      await this.settle(d, result, startedAt);
    })().finally(() => {
      this.inFlight.delete(d.id);
      this.waker.wake();
    });
    this.inFlight.set(d.id, { watcherId: d.watcherId, destination: d.destination, abort, done });
  }

  // Records the result, or holds it for later when the store cannot take it now.
  private async settle(d: Delivery, result: AttemptResult, calledAt: Date): Promise<void> {
    try {
      await this.record(d, result, calledAt);
    } catch (err) {
      this.held.set(d.id, { d, result, calledAt });
      this.o.log.warn(
        { err, delivery: d.id, held: this.held.size },
        "could not record a delivery attempt; it is held and recorded once the store writes",
      );
    }
  }

  // Oldest first. An outage of the store leaves the rest held for the next turn; a result that
  // fails for another reason stays held without holding up the others.
  private async recordHeld(): Promise<void> {
    for (const [id, h] of this.held) {
      try {
        await this.record(h.d, h.result, h.calledAt);
        this.held.delete(id);
      } catch (err) {
        if (outageReason(err) !== undefined) throw err;
        this.o.log.error({ err, delivery: id }, "recording a held attempt failed; kept");
      }
    }
  }

  // Read, decide, write (with the other results of this turn, in one transaction). Throws,
  // having written nothing, when the store cannot take the result.
  private async record(d: Delivery, r: AttemptResult, calledAt: Date): Promise<void> {
    const m = this.o.metrics;
    if (r.kind === "aborted") {
      m.deliveries.inc({ outcome: "aborted" });
      return; // the row stays in the outbox, due as before
    }
    const now = this.now();
    const step = decideAttempt(d, r, { calledAt, now, backoff: this.o.backoff });
    const { keys, ...view } = await this.read(d, step);
    const health = { webhookId: d.webhookId, disableAfterMs: this.o.disableAfterMs ?? 0 };
    const changes = { ...settleAttempt(d, step, view, now), health };
    if (this.o.attemptLog === false) delete changes.log;
    const { webhookDisabled } = await this.batches.add(changes, keys);
    countAttempt(m, d, { ...step, durationMs: r.durationMs }, now);
    this.progress(d.watcherId, changes.watcherStatus);
    this.report(d, step, view.watcher, webhookDisabled);
  }

  // Told after the attempt is recorded, without holding up the next one; a retry read no
  // watcher, so one is read for it here.
  private report(d: Delivery, step: AttemptStep, watcher: Watcher | undefined, off: boolean): void {
    const { onAttempt: tell, onWebhookDisabled: disabled } = this.o;
    if (!tell && !(off && disabled)) return;
    const read = watcher ? Promise.resolve(watcher) : this.o.store.watchers.get(d.watcherId);
    read
      .then((w) => [tell?.(d, step, w), off && disabled?.(d, w)])
      .catch((err: unknown) => {
        this.o.log.warn({ err, delivery: d.id }, "could not report a delivery attempt");
      });
  }

  // What deciding `d`'s result reads, and the watchers it names (keys); read again when a change
  // to them was unwritten or added meanwhile, so no decision is made on what it may not see.
  private async read(d: Delivery, step: AttemptStep): Promise<AttemptView & { keys: string[] }> {
    if (!settlesWatcher(d, step)) return { ...NOTHING_READ, keys: [d.watcherId] };
    const { value, keys } = await this.batches.readSeeingAll(
      () => readAttemptView(this.o.store.watchers, d),
      (view) => [d.watcherId, ...view.others.map((w) => w.id)],
    );
    return { ...value, keys };
  }

  // Recorded: listeners hear of it. Their failure is not the delivery's.
  private progress(watcherId: string, status: WatcherStatus | undefined): void {
    try {
      this.o.onProgress(watcherId, status);
    } catch (err) {
      this.o.log.warn({ err, watcher: watcherId }, "could not report a delivery's progress");
    }
  }

  // Let attempts in flight finish for a while; abort the rest, which stay in the outbox.
  private async drain(): Promise<void> {
    if (this.inFlight.size > 0) {
      this.o.log.info({ inFlight: this.inFlight.size }, "waiting for deliveries in flight");
      const all = Promise.all([...this.inFlight.values()].map((f) => f.done));
      const timer = setTimeout(() => {
        for (const f of this.inFlight.values()) f.abort.abort();
      }, this.o.shutdownGraceMs);
      await all;
      clearTimeout(timer);
    }
    try {
      await this.recordHeld();
    } catch {
      // Their rows are still in the outbox: the next start sends them again (at least once).
      this.o.log.warn({ held: this.held.size }, "stopping with attempt results not recorded");
    }
  }
}
