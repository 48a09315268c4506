import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { Store } from "./Store.js";

/**
 * Between probes of a failing store: with the default, about 125–250 ms, 250–500 ms, … up to
 * 2.5–5 s, so a store that works again is noticed within 5 s.
 */
export const STORE_PROBE_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5000 };

// A store that fails again this soon after it recovered goes on with the slow probes.
const STEADY_MS = 30_000;

/**
 * Notices that a failing store works again: while it fails, it gives back the WAL beyond its
 * bound and writes one row, with backoff, until that succeeds; then the store is marked working
 * and every loop waiting on it resumes.
 */
export class StoreWatchdog implements Part {
  readonly name = "store-watchdog";
  private readonly waker = new Waker();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly backoff: BackoffPolicy = STORE_PROBE_BACKOFF,
  ) {
    store.health.onFailed(() => {
      log.error(
        { reason: store.health.failure?.reason },
        "the store cannot write; work is kept and retried once it can",
      );
      this.waker.wake();
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    let probes = 0;
    let recoveredAt = 0;
    while (!signal.aborted) {
      const failure = this.store.health.failure;
      if (!failure) {
        await this.waker.sleep(undefined, signal);
        if (Date.now() - recoveredAt > STEADY_MS) probes = 0;
        continue;
      }
      probes++;
      await this.waker.sleep(backoffDelay(probes, this.backoff), signal);
      try {
        await this.store.probe(new Date(), true);
      } catch {
        continue; // still failing; the store's health holds the newest reason
      }
      recoveredAt = Date.now();
      this.log.info(
        { downMs: recoveredAt - failure.since.getTime(), probes },
        "the store writes again; resuming",
      );
      this.store.health.recovered();
    }
  }
}
