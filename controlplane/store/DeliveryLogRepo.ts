import type { DeliveryAttempt } from "../../contract/model.js";

/**
 * The delivery log: the attempts (written by WatcherRepo.recordAttempt, in the attempt's own
 * transaction) and the ended deliveries' messages, kept for --delivery-retention.
 */
export interface DeliveryLogRepo {
  /**
   * Deletes, in one transaction, up to `limit` attempts started before `before` and up to `limit`
   * messages that ended before it; answers how many rows went (0: nothing older is left).
   */
  prune(before: Date, limit: number): Promise<number>;
  /** Up to `limit` of a watcher's attempts after the attempt `afterId` (absent: the first), oldest first. */
  attempts(watcherId: string, limit: number, afterId?: string): Promise<DeliveryAttempt[]>;
}
