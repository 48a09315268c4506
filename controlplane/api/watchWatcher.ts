import { execute } from "abort-controller-x";
import { FINAL_WATCHER_STATUSES, type Watcher } from "../../contract/model.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";

/**
 * The watcher now, then after each change, until it is final or `signal` aborts (then the
 * iteration rejects with an AbortError).
 */
export async function* watchWatcher(
  engine: WatcherEngine,
  id: string,
  signal: AbortSignal,
): AsyncGenerator<Watcher> {
  const queue: Watcher[] = [];
  let notify: (() => void) | undefined;
  // Subscribed before the first read, so that no change falls between the two.
  const unsubscribe = engine.events.onChange(id, (w) => {
    queue.push(w);
    notify?.();
  });
  try {
    let current = engine.getWatcher(id);
    yield current;
    while (!FINAL_WATCHER_STATUSES.has(current.status)) {
      if (queue.length === 0) {
        await execute<undefined>(signal, (resolve) => {
          notify = () => resolve(undefined);
          return () => (notify = undefined);
        });
      }
      const next = queue.shift();
      if (!next) continue;
      current = next;
      yield current;
    }
  } finally {
    unsubscribe();
  }
}
