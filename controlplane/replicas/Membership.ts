import { randomUUID } from "node:crypto";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { MemberRepo } from "../store/MemberRepo.js";

export interface MembershipOptions {
  /** How often this replica says it is alive and reads who else is. Default 1 s. */
  intervalMs?: number;
  /** A replica not heard of for this long is taken for gone. Default 5 s. */
  ttlMs?: number;
  /**
   * Whether this replica can do a leader's work now (a leader's Job watch is not failing);
   * while it cannot, it stops saying it is alive and, once it is overdue, the next oldest
   * replica leads.
   */
  able?: () => boolean;
}

/**
 * A time-ordered replica id: the store sorts ids as bytes, so the oldest replica alive comes
 * first (nodes' clocks a few seconds apart only change which one that is).
 */
export function replicaId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, "0")}-${randomUUID()}`;
}

/**
 * This replica among those that share the store: it says it is alive every second and reads
 * who else is. The oldest replica alive leads: it alone does the work that is not asked for
 * through the API (the Job watch, deliveries, labels, timeouts), so a Job's events are decided
 * by one process, as with a single replica; the others stand by, serving the API. A
 * leader that stops leaves at once; one that dies is taken for gone after the TTL. Before its
 * first answer from the store a replica does not lead; while the store cannot answer, each
 * keeps its last answer. Should two replicas briefly both lead (one cut off from the store
 * past the TTL), the store's conditional writes and claims keep them from doing a thing twice.
 */
export class Membership implements Part {
  readonly name = "membership";
  readonly id = replicaId();
  private members: readonly string[] | undefined;
  private wasLeading = false;
  private readonly waker = new Waker();
  private readonly listeners = new Set<(leading: boolean) => void>();
  private readonly changeListeners: ((leading: boolean) => void)[] = [];

  constructor(
    private readonly repo: MemberRepo,
    private readonly log: Logger,
    private readonly o: MembershipOptions = {},
  ) {}

  /** Whether this replica leads: the oldest alive in its last answer from the store. */
  get leading(): boolean {
    return this.members?.[0] === this.id;
  }

  /** Calls `listener` each time this replica begins or stops leading. */
  onLeadingChange(listener: (leading: boolean) => void): void {
    this.changeListeners.push(listener);
  }

  /** Resolves once this replica leads (or follows: `leading` false), or `signal` aborts. */
  until(leading: boolean, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.listeners.delete(check);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const check = (now: boolean): void => {
        if (now === leading) done();
      };
      if (signal.aborted || this.leading === leading) {
        resolve();
        return;
      }
      this.listeners.add(check);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const interval = this.o.intervalMs ?? 1000;
    const ttl = this.o.ttlMs ?? 5000;
    while (!signal.aborted) {
      const now = Date.now();
      if (this.o.able?.() ?? true) {
        try {
          this.update(await this.repo.heartbeat(this.id, new Date(now), new Date(now - ttl)));
        } catch {
          // The store fails: keep the last answer. What a leader would do waits for the store
          // anyway, and leadership moving now would only stop and start that work.
        }
      }
      await this.waker.sleep(interval, signal);
    }
    this.update(undefined);
    // Stopping: the next oldest leads now, not once this one is overdue.
    await this.repo.leave(this.id).catch(() => undefined);
  }

  private update(seen: readonly string[] | undefined): void {
    const before = this.members;
    if (seen === before || (seen && before && seen.join() === before.join())) return;
    this.members = seen;
    const leading = this.leading;
    this.log.info(
      { replica: this.id, replicas: seen?.length, leading },
      "the replicas sharing the store changed",
    );
    if (leading === this.wasLeading) return;
    this.wasLeading = leading;
    this.log.info({ replica: this.id }, leading ? "this replica leads" : "this replica follows");
    for (const listener of [...this.changeListeners, ...this.listeners]) listener(leading);
  }
}
