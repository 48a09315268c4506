/** The replicas sharing a store, each known by the last time it said it was alive. */
export interface MemberRepo {
  /**
   * Records that replica `id` is alive at `now`, and answers the ids of every replica seen
   * alive since `since` (itself included), sorted.
   */
  heartbeat(id: string, now: Date, since: Date): Promise<string[]>;
  /** Forgets `id` (a replica stopping), so the others take its share at once. */
  leave(id: string): Promise<void>;
}
