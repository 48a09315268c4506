import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Logger } from "./logger.js";
import type { Part } from "./runGroup.js";

export interface IdleCollectorOptions {
  /** How often the event loop's utilization is read. Default 1 s. */
  intervalMs?: number;
  /** A period at least this busy (0–1) counts as work. Default 0.25. */
  busy?: number;
  /** A period at most this busy, after work, counts as its end. Default 0.05. */
  idle?: number;
  /** After workEnded(), the periods judged (up to 50 of them) until one is idle. Default 100 ms. */
  quietMs?: number;
  /** Growth of the heap V8 holds (bytes) since the last collection that counts as work. Default 16 MiB. */
  grown?: number;
  /** The event loop's utilization since the last call; tests give their own. */
  utilization?: () => number;
  /** The heap V8 holds (process.memoryUsage().heapTotal); tests give their own. */
  heapTotal?: () => number;
  /** Runs a full collection; tests count calls. */
  collect?: () => void;
}

// After workEnded(), how many `quietMs` periods are judged before the usual ones again.
const QUICK_CHECKS = 50;

const DEFAULTS = { intervalMs: 1000, quietMs: 100, busy: 0.25, idle: 0.05, grown: 16 * 2 ** 20 };

function loopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

/**
 * Gives memory back once a burst of work ends: the first Job list, a burst of deliveries, a
 * minute of POSTs. V8 keeps the heap such work grew and returns it only when its memory reducer
 * gets to it, tens of seconds later, so an idle controlplane would sit for a while at twice its
 * size. This part watches the event loop's utilization and the heap: work is a busy period, or
 * the heap grown by `grown` since the last collection (a list read page by page keeps the loop
 * mostly waiting, yet leaves tens of MiB). When work is followed by an idle period it runs one
 * full collection (some milliseconds, and only then, when nothing waits). A part that knows its
 * work has ended (the Job watch, its first list applied) says so with workEnded(): it collects
 * then, and judges periods of `quietMs` after, so the next collection follows the first quiet
 * one, not a second later.
 * The collector is reached with V8's --expose-gc, set at run time: no flag to pass to node.
 */
export class IdleCollector implements Part {
  readonly name = "idle-collector";
  private readonly o: typeof DEFAULTS &
    Pick<IdleCollectorOptions, "utilization" | "collect" | "heapTotal">;

  private quickChecks = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly log: Logger,
    o: IdleCollectorOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...o };
  }

  async run(signal: AbortSignal): Promise<void> {
    const utilization = this.o.utilization ?? loopUtilization();
    const heapTotal = this.o.heapTotal ?? ((): number => process.memoryUsage().heapTotal);
    let worked = false;
    let collectedAt = heapTotal();
    while (!signal.aborted) {
      try {
        if (await this.pause(signal)) {
          // Work has just ended: what it left goes now, though more may follow it at once
          // (watchers bound to the Jobs listed); the period so far was that work, so the quiet
          // after it is judged from here.
          this.collect();
          collectedAt = heapTotal();
          utilization();
          worked = true;
          continue;
        }
      } catch {
        return;
      }
      const used = utilization();
      if (used >= this.o.busy) {
        worked = true;
        continue;
      }
      if (heapTotal() >= collectedAt + this.o.grown) worked = true;
      if (worked && used <= this.o.idle) {
        worked = false;
        this.quickChecks = 0;
        this.collect();
        collectedAt = heapTotal();
      }
    }
  }

  /** Work has ended (a burst a part knows of): collect now, and again once the loop is quiet. */
  workEnded(): void {
    this.quickChecks = QUICK_CHECKS;
    this.wake?.();
  }

  // Sleeps a period (`quietMs` while checks after workEnded() are due), or until workEnded();
  // true when woken by it.
  private async pause(signal: AbortSignal): Promise<boolean> {
    const quick = this.quickChecks > 0;
    if (quick) this.quickChecks--;
    const woken = new AbortController();
    this.wake = () => woken.abort();
    await sleep(quick ? this.o.quietMs : this.o.intervalMs, undefined, {
      signal: AbortSignal.any([signal, woken.signal]),
    }).catch(() => signal.throwIfAborted());
    this.wake = undefined;
    return woken.signal.aborted;
  }

  private collect(): void {
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    (this.o.collect ?? fullCollection())();
    this.log.debug(
      {
        ms: Math.round(performance.now() - started),
        heapBeforeMb: Math.round(before / 2 ** 20),
        heapAfterMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      },
      "work ended: memory collected",
    );
  }
}

let gc: (() => void) | undefined;

/** V8's full collection, exposed once per process. */
export function fullCollection(): () => void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  return gc;
}
