import { execute } from "abort-controller-x";
import { FINAL_WATCHER_STATUSES, type Watcher } from "../../contract/model.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";

/**
 * The watcher now, then after each change, until it is final or `signal` aborts (then the
 * iteration rejects with an AbortError). A change this process made is heard at once; with
 * `pollMs`, the watcher is also read again that often, for changes another replica made.
 */
export async function* watchWatcher(
  engine: WatcherEngine,
  id: string,
  signal: AbortSignal,
  pollMs?: number,
): AsyncGenerator<Watcher> {
  const seenChange = { value: false };
  let notify: (() => void) | undefined;
  // Subscribed before the first read, so that no change falls between the two.
  const unsubscribe = engine.events.onChange(id, () => {
    seenChange.value = true;
    notify?.();
  });
  try {
    let current = await engine.getWatcher(id);
    let seen = JSON.stringify(current);
    yield current;
    while (!FINAL_WATCHER_STATUSES.has(current.status)) {
      if (!seenChange.value) await wake(signal, (fn) => (notify = fn), pollMs);
      seenChange.value = false;
      current = await engine.getWatcher(id);
      const now = JSON.stringify(current);
      if (now === seen) continue;
      seen = now;
      yield current;
    }
  } finally {
    unsubscribe();
  }
}

// Resolves when the listener calls back, or after `pollMs`; rejects when `signal` aborts.
function wake(
  signal: AbortSignal,
  listen: (fn: (() => void) | undefined) => void,
  pollMs: number | undefined,
): Promise<undefined> {
  return execute<undefined>(signal, (resolve) => {
    listen(() => resolve(undefined));
    const timer = pollMs === undefined ? undefined : setTimeout(() => resolve(undefined), pollMs);
    return () => {
      listen(undefined);
      clearTimeout(timer);
    };
  });
}
