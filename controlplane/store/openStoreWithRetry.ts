import { setTimeout as sleep } from "node:timers/promises";
import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import type { Logger } from "../../common/logger.js";
import { openStore } from "./openStore.js";
import type { Store } from "./Store.js";
import { StoreUnavailableError } from "./StoreHealth.js";
import type { StoreSpec } from "./storeSpec.js";

// 0.5–1 s, 1–2 s, … up to 2.5–5 s between tries.
const BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5000 };

/**
 * Opens the store; one that cannot be reached yet (PostgreSQL starting, or failing over) is
 * tried again with backoff for up to `giveUpMs` (default 60 s, the manifests' startupProbe),
 * then the last error is thrown. Bad input (a wrong password, a missing database) fails at once.
 */
export async function openStoreWithRetry(
  spec: StoreSpec,
  log: Logger,
  giveUpMs = 60_000,
): Promise<Store> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await openStore(spec);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || Date.now() - started > giveUpMs) throw err;
      const retryIn = backoffDelay(attempt, BACKOFF);
      log.warn({ reason: err.reason, retryIn }, "cannot reach the store yet; retrying");
      await sleep(retryIn);
    }
  }
}
