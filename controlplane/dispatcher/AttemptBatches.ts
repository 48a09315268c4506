import { outageReason } from "../store/StoreHealth.js";
import type { AttemptChanges, AttemptRecorded, WatcherRepo } from "../store/WatcherRepo.js";

interface Entry {
  changes: AttemptChanges;
  resolve: (r: AttemptRecorded) => void;
  reject: (err: unknown) => void;
}

interface Batch {
  entries: Entry[];
  keys: Set<string>;
  /** Resolves once the batch is written or has failed. */
  settled: Promise<void>;
  settle: () => void;
}

/**
 * Writes decided attempts in batches: those added in one turn of the event loop (the results
 * of a burst arrive together) go to the store in one transaction, one batch after another;
 * add() resolves once its own is committed, so a result is never counted done before it is
 * durable. A store outage fails the whole batch; any other failure has each of its attempts
 * written alone, so one that cannot be written does not hold up the others.
 *
 * An attempt is decided from what was read before it is added (its watcher, the other open
 * watchers of its Job); `keys` name what the decision read, and busy() says when a change
 * added earlier and not yet written touches one of them: the reader waits for it and reads again.
 */
export class AttemptBatches {
  private open: Batch | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly unwritten = new Map<string, Batch>();

  constructor(private readonly repo: Pick<WatcherRepo, "recordAttempts">) {}

  /** Undefined when no change touching `keys` waits to be written; else when it is written. */
  busy(keys: readonly string[]): Promise<void> | undefined {
    for (const key of keys) {
      const batch = this.unwritten.get(key);
      if (batch) return batch.settled;
    }
    return undefined;
  }

  /** Writes `changes` with the next batch; resolves once it is committed. */
  add(changes: AttemptChanges, keys: readonly string[]): Promise<AttemptRecorded> {
    const batch = this.open ?? this.startBatch();
    for (const key of keys) {
      batch.keys.add(key);
      this.unwritten.set(key, batch);
    }
    return new Promise((resolve, reject) => batch.entries.push({ changes, resolve, reject }));
  }

  private startBatch(): Batch {
    let settle = (): void => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const batch: Batch = { entries: [], keys: new Set(), settled, settle };
    this.open = batch;
    // After the I/O callbacks of this turn, so every result that arrived with this one joins.
    setImmediate(() => {
      this.open = undefined;
      this.writing = this.writing.then(() => this.write(batch));
    });
    return batch;
  }

  private async write(batch: Batch): Promise<void> {
    await this.record(batch.entries);
    for (const key of batch.keys) {
      if (this.unwritten.get(key) === batch) this.unwritten.delete(key);
    }
    batch.settle();
  }

  // Never throws: each entry is resolved or rejected.
  private async record(entries: readonly Entry[]): Promise<void> {
    try {
      const recorded = await this.repo.recordAttempts(entries.map((e) => e.changes));
      entries.forEach((e, i) => {
        const r = recorded[i];
        if (r) e.resolve(r);
        else e.reject(new Error("the store answered fewer attempts than it was given"));
      });
    } catch (err) {
      if (entries.length === 1 || outageReason(err) !== undefined) {
        for (const e of entries) e.reject(err);
        return;
      }
      for (const e of entries) await this.record([e]);
    }
  }
}
