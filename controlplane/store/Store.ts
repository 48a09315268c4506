import type { DeliveryLogRepo } from "./DeliveryLogRepo.js";
import type { DeliveryRepo } from "./DeliveryRepo.js";
import type { LabelRepo } from "./LabelRepo.js";
import type { MemberRepo } from "./MemberRepo.js";
import type { RedeliveryRepo } from "./RedeliveryRepo.js";
import type { StoreHealth } from "./StoreHealth.js";
import type { WatcherRepo } from "./WatcherRepo.js";
import type { WebhookRepo } from "./WebhookRepo.js";

/**
 * Everything the controlplane knows, behind the operations it needs; an engine (sqlite/,
 * postgres/) implements them. Each call is one transaction, or one read; calls may interleave
 * (several Jobs at once, several replicas on one PostgreSQL), so a write names the state it was
 * decided for and writes nothing when it finds another (WatcherRepo.apply).
 *
 * Every call that meets an outage of the store (a full disk, an I/O error, ...) throws
 * StoreUnavailableError and marks `health` failing; StoreWatchdog then probes until a write
 * succeeds again.
 */
export interface Store {
  readonly webhooks: WebhookRepo;
  readonly watchers: WatcherRepo;
  readonly deliveries: DeliveryRepo;
  readonly labels: LabelRepo;
  /** Sends ended deliveries again from the messages kept of them. */
  readonly redeliveries: RedeliveryRepo;
  /** The attempt log and the ended deliveries' messages, pruned after --delivery-retention. */
  readonly deliveryLog: DeliveryLogRepo;
  readonly health: StoreHealth;
  /**
   * Several processes may write this store (PostgreSQL with replicas): work one of them queued
   * is not announced to the others, so their loops look at the store at least every few seconds.
   */
  readonly shared: boolean;
  /** A shared store's replicas, to choose the one that leads; absent when not shared. */
  readonly members?: MemberRepo;
  /**
   * Writes one small row: succeeds when the store can write. Throws StoreUnavailableError (and
   * marks the store failing) when not. `reclaim` first gives back space the engine holds beyond
   * its bound, for a volume that filled up.
   */
  probe(now: Date, reclaim?: boolean): Promise<void>;
  close(): Promise<void>;
}
