import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import { runStoreLoop } from "../store/runStoreLoop.js";
import { pollCap } from "../store/sharedPoll.js";
import type { Store } from "../store/Store.js";
import type { WatcherEngine } from "./WatcherEngine.js";

// With no deadline nearer, look again after this long anyway.
const MAX_SLEEP_MS = 60_000;

/** Ends watchers at their deadline: sleeps until the earliest one, or until a new one is added. */
export class WatcherTimeouts implements Part {
  readonly name = "watcher-timeouts";
  private readonly waker = new Waker();
  private nextLook = 0;

  constructor(
    private readonly engine: WatcherEngine,
    private readonly store: Pick<Store, "health" | "shared">,
    private readonly log: Logger,
  ) {
    // Most watchers expire minutes out; wake only for one due before the loop looks anyway.
    engine.events.onExpiryAdded((at) => {
      if (at.getTime() < this.nextLook) this.waker.wake();
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runStoreLoop(
      {
        health: this.store.health,
        log: this.log,
        waker: this.waker,
        turn: async () => {
          const next = await this.engine.expire();
          const wait =
            pollCap(
              this.store.shared,
              Math.min(
                next ? Math.max(0, next.getTime() - Date.now()) : MAX_SLEEP_MS,
                MAX_SLEEP_MS,
              ),
            ) ?? MAX_SLEEP_MS;
          this.nextLook = Date.now() + wait;
          return wait;
        },
      },
      signal,
    );
  }
}
