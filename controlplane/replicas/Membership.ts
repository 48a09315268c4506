import { randomUUID } from "node:crypto";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import type { MemberRepo } from "../store/MemberRepo.js";
import { ownerOf } from "./owner.js";

export interface MembershipOptions {
  /** How often this replica says it is alive and reads who else is. Default 1 s. */
  intervalMs?: number;
  /** A replica not heard of for this long is taken for gone. Default 5 s. */
  ttlMs?: number;
  /** The replicas alive changed: Jobs may have changed hands. */
  onChange: (members: readonly string[]) => void;
  /**
   * Whether this replica can take a share now (its watch of Jobs is current); while it cannot,
   * it stops saying it is alive and the others take its share once it is overdue.
   */
  able?: () => boolean;
}

/**
 * This replica among those that share the store: it says it is alive every second, reads who
 * else is, and shares out the Jobs by rendezvous hashing over them, so each Job's events are
 * decided by one replica instead of all (the store's conditional writes keep it right when two
 * briefly disagree). Until the first answer, or while the store cannot answer, it owns every
 * Job: work is done twice rather than not at all.
 */
export class Membership implements Part {
  readonly name = "membership";
  readonly id = randomUUID();
  private members: readonly string[] | undefined;
  private readonly waker = new Waker();

  constructor(
    private readonly repo: MemberRepo,
    private readonly log: Logger,
    private readonly o: MembershipOptions,
  ) {}

  /** Whether this replica decides the events of the Job `uid`. */
  owns(uid: string): boolean {
    const m = this.members;
    if (!m?.includes(this.id)) return true;
    return ownerOf(m, uid) === this.id;
  }

  async run(signal: AbortSignal): Promise<void> {
    const interval = this.o.intervalMs ?? 1000;
    const ttl = this.o.ttlMs ?? 5000;
    while (!signal.aborted) {
      const now = Date.now();
      if (this.o.able?.() ?? true) {
        let seen: readonly string[] | undefined;
        try {
          seen = await this.repo.heartbeat(this.id, new Date(now), new Date(now - ttl));
        } catch {
          seen = undefined; // the store fails: own everything until it answers again
        }
        this.update(seen);
      }
      await this.waker.sleep(interval, signal);
    }
    // Stopping: the others take this replica's share now, not once it is overdue.
    await this.repo.leave(this.id).catch(() => undefined);
  }

  private update(seen: readonly string[] | undefined): void {
    const before = this.members;
    if (seen === before || (seen && before && seen.join() === before.join())) return;
    this.members = seen;
    this.log.info(
      { replica: this.id, replicas: seen?.length },
      "the replicas sharing the work changed",
    );
    this.o.onChange(seen ?? []);
  }
}
