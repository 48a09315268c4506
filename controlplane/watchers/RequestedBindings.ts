import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import { runStoreLoop } from "../store/runStoreLoop.js";
import { pollCap } from "../store/sharedPoll.js";
import type { Store } from "../store/Store.js";
import type { JobLookup } from "./JobLookup.js";
import type { WatcherEngine } from "./WatcherEngine.js";

/** Bind requests read per store call. */
const BATCH = 500;

/**
 * Binds the watchers made where their Job could not be looked up (NewWatcher.askBind): made
 * through a standby replica, which keeps no Job cache, or before this replica's Job watch first
 * listed. Runs beside the Job watch; each Job named that the cache has is applied again, as a
 * watch event would (binding its watchers, and notifying them if it has finished), and then
 * the request is done. A Job the cache lacks needs nothing: its first event binds the watcher.
 * Looks at the store once the watch answers, every SHARED_POLL_MS on a shared store, and when
 * kicked.
 */
export class RequestedBindings implements Part {
  readonly name = "requested-bindings";
  private readonly waker = new Waker();

  constructor(
    private readonly engine: Pick<WatcherEngine, "upsert">,
    private readonly jobs: Pick<JobLookup, "answering" | "findByName">,
    private readonly store: Pick<Store, "watchers" | "health" | "shared">,
    private readonly log: Logger,
  ) {}

  /** Looks now: the Job watch began to answer, or a watcher asked. */
  kick(): void {
    this.waker.wake();
  }

  run(signal: AbortSignal): Promise<void> {
    return runStoreLoop(
      {
        health: this.store.health,
        log: this.log,
        waker: this.waker,
        turn: async () => {
          let read: number;
          do read = await this.turn();
          while (read === BATCH);
          return pollCap(this.store.shared, undefined);
        },
      },
      signal,
    );
  }

  // A getter read again after an await: it may have changed meanwhile.
  private answering(): boolean {
    return this.jobs.answering;
  }

  // One batch of requests; how many there were (none are read while the cache cannot answer).
  private async turn(): Promise<number> {
    if (!this.answering()) return 0;
    const asked = await this.store.watchers.bindRequests(BATCH);
    const looked = new Set<string>();
    for (const { namespace, jobName } of asked) {
      const key = `${namespace}/${jobName}`;
      if (looked.has(key)) continue;
      looked.add(key);
      const job = this.jobs.findByName(namespace, jobName);
      if (job) await this.engine.upsert(job);
    }
    // The watch stopped meanwhile (this replica no longer leads): leave them to the next.
    if (asked.length === 0 || !this.answering()) return 0;
    await this.store.watchers.bindRequestsDone(asked.map((a) => a.watcherId));
    this.log.debug({ watchers: asked.length }, "looked up the Jobs of requested watchers");
    return asked.length;
  }
}
