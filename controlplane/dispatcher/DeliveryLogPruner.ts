import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import { runStoreLoop } from "../store/runStoreLoop.js";
import type { Store } from "../store/Store.js";

export interface PrunerOptions {
  store: Store;
  log: Logger;
  /** --delivery-retention: rows older than this are deleted; 0 keeps none past the next pass. */
  retentionMs: number;
  /** Rows deleted per transaction, so a pass never holds the store for long. Default 1000. */
  batch?: number;
  /** Called with the rows each batch deleted (a metric). */
  onPruned?: (rows: number) => void;
  now?: () => Date;
}

const DEFAULT_BATCH = 1000;
// Passes come every tenth of the retention, at least every minute and at most every second:
// with the default of 7 days, a row outlives its retention by a minute at most.
const MIN_PASS_MS = 1000;
const MAX_PASS_MS = 60_000;

/**
 * Keeps the delivery log bounded: deletes attempts started, and ended deliveries' messages that
 * ended, more than the retention ago, in batches (each one transaction) until none is left,
 * then sleeps until the next pass. The space SQLite frees is reused by later rows, so with a
 * steady flow of attempts the file stops growing.
 */
export class DeliveryLogPruner implements Part {
  readonly name = "delivery-log-pruner";
  private readonly waker = new Waker();
  private readonly now: () => Date;
  private readonly passMs: number;

  constructor(private readonly o: PrunerOptions) {
    this.now = o.now ?? ((): Date => new Date());
    this.passMs = Math.min(MAX_PASS_MS, Math.max(MIN_PASS_MS, Math.floor(o.retentionMs / 10)));
  }

  run(signal: AbortSignal): Promise<void> {
    return runStoreLoop(
      {
        health: this.o.store.health,
        log: this.o.log,
        waker: this.waker,
        turn: async () => {
          await this.prune(signal);
          return this.passMs;
        },
      },
      signal,
    );
  }

  /** One pass: batches until nothing older than the retention is left; answers the rows deleted. */
  async prune(signal?: AbortSignal): Promise<number> {
    const before = new Date(this.now().getTime() - this.o.retentionMs);
    const batch = this.o.batch ?? DEFAULT_BATCH;
    let total = 0;
    for (;;) {
      const deleted = await this.o.store.deliveryLog.prune(before, batch);
      total += deleted;
      if (deleted > 0) this.o.onPruned?.(deleted);
      if (deleted === 0 || signal?.aborted) break;
      // Between batches, let deliveries and API calls have the store.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (total > 0) this.o.log.debug({ rows: total, before }, "pruned the delivery log");
    return total;
  }
}
