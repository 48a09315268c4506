import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import type { Waker } from "../../common/Waker.js";
import { outageReason, type StoreHealth } from "./StoreHealth.js";

export interface StoreLoop {
  health: StoreHealth;
  log: Logger;
  /** Cuts the sleep between turns short. */
  waker: Waker;
  /** One pass of the work; returns how long to sleep before the next (undefined: until woken). */
  turn: () => Promise<number | undefined> | number | undefined;
}

// While the store fails: look again at least this often (StoreWatchdog's recovery wakes sooner).
const OUTAGE_POLL_MS = 5000;
// After a turn failed for another reason: 0.5–1 s, 1–2 s, … up to 15–30 s, logged each time.
const FAILURE_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/**
 * Runs a loop over the store's work until `signal` aborts, whatever the store does: while it
 * cannot write, the loop waits for it to recover instead of retrying in a tight loop; any other
 * failure of a turn is logged and retried with backoff. The loop never throws, so an outage of
 * the store never ends the process.
 */
export async function runStoreLoop(loop: StoreLoop, signal: AbortSignal): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    if (loop.health.failure) {
      await loop.health.waitForRecovery(OUTAGE_POLL_MS, signal);
      continue;
    }
    let delay: number | undefined;
    try {
      delay = await loop.turn();
      failures = 0;
    } catch (err) {
      // An outage marked the store failing: the next turn waits for it to recover.
      if (outageReason(err) === undefined) loop.log.error({ err }, "a turn failed; retrying");
      delay = backoffDelay(++failures, FAILURE_BACKOFF);
    }
    await loop.waker.sleep(delay, signal);
  }
}
