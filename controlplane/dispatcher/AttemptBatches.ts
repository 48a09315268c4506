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
 * watchers of its Job); `keys` name what the decision read. A read is bracketed by beginRead()
 * and endRead(), which says when a change touching one of the keys may be missing from it: one
 * added and not yet written, or one added since the read began (on PostgreSQL a query in flight
 * may not see a change committed meanwhile). The reader then waits for that change to be written
 * and reads again, so two decisions never miss each other's change (the last two watchers of a
 * Job ending together, each deciding it is not the last).
 */
export class AttemptBatches {
  private open: Batch | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly unwritten = new Map<string, Batch>();
  // Changes added so far; the number of the last one added for each key, kept while a read that
  // began before it is in flight.
  private added = 0;
  private readonly lastAdded = new Map<string, number>();
  // Reads in flight, by the number of changes added when each began.
  private readonly reads = new Map<number, number>();

  constructor(private readonly repo: Pick<WatcherRepo, "recordAttempts">) {}

  /** A read for a decision begins; its ticket goes to endRead(). */
  beginRead(): number {
    this.reads.set(this.added, (this.reads.get(this.added) ?? 0) + 1);
    return this.added;
  }

  /**
   * The read begun with `ticket` has ended, having read `keys`: undefined when it saw every change
   * to them; else a promise that resolves once the change it may have missed is written, after
   * which it should read again (with a new ticket).
   */
  endRead(ticket: number, keys: readonly string[]): Promise<void> | undefined {
    const missed = this.missed(ticket, keys);
    const left = (this.reads.get(ticket) ?? 1) - 1;
    if (left > 0) this.reads.set(ticket, left);
    else this.reads.delete(ticket);
    this.forgetOldAdds();
    return missed;
  }

  private missed(ticket: number, keys: readonly string[]): Promise<void> | undefined {
    for (const key of keys) {
      const batch = this.unwritten.get(key);
      if (batch) return batch.settled;
      if ((this.lastAdded.get(key) ?? -1) >= ticket) return Promise.resolve();
    }
    return undefined;
  }

  /**
   * What `read` reads, once no change to the keys it names (`keysOf`) can be missing from it:
   * read again after such a change is written (beginRead, endRead).
   */
  async readSeeingAll<T>(
    read: () => Promise<T>,
    keysOf: (value: T) => string[],
  ): Promise<{ value: T; keys: string[] }> {
    for (;;) {
      const ticket = this.beginRead();
      let value: T;
      try {
        value = await read();
      } catch (err) {
        void this.endRead(ticket, []);
        throw err;
      }
      const keys = keysOf(value);
      const missed = this.endRead(ticket, keys);
      if (!missed) return { value, keys };
      await missed;
    }
  }

  /** Writes `changes` with the next batch; resolves once it is committed. */
  add(changes: AttemptChanges, keys: readonly string[]): Promise<AttemptRecorded> {
    const batch = this.open ?? this.startBatch();
    const n = this.added++;
    for (const key of keys) {
      batch.keys.add(key);
      this.unwritten.set(key, batch);
      if (this.reads.size > 0) this.lastAdded.set(key, n);
    }
    return new Promise((resolve, reject) => batch.entries.push({ changes, resolve, reject }));
  }

  // An add matters to reads begun before it; once none is in flight, it is forgotten.
  private forgetOldAdds(): void {
    const oldest = this.reads.size > 0 ? Math.min(...this.reads.keys()) : Infinity;
    for (const [key, n] of this.lastAdded) if (n < oldest) this.lastAdded.delete(key);
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
