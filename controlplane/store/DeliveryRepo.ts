import type { Delivery } from "../watchers/model.js";

/** What the dispatcher has under way: ids not to hand out again, slots taken per destination. */
export interface Busy {
  /** Deliveries in flight, or whose result is waiting to be recorded. */
  ids: ReadonlySet<string>;
  /** Attempts in flight per destination. */
  perDestination: ReadonlyMap<string, number>;
  /** No destination gets more attempts in flight than this. */
  destinationCap: number;
  /**
   * A store shared by several replicas hands what due() hands out to no other replica before
   * this time (its attempt ends well before); a replica that dies leaves its deliveries to the
   * others then. Recording the attempt releases the delivery at once.
   */
  claimUntil: Date;
}

/** Reads of the outbox; its writes belong to WatcherRepo, which owns the aggregate. */
export interface DeliveryRepo {
  /**
   * Up to `limit` deliveries due by `now`, oldest first within each destination, skipping busy
   * ones and never taking a destination past its cap. Destinations whose oldest due delivery is
   * older go first.
   */
  due(now: Date, limit: number, busy: Busy): Promise<Delivery[]>;
  /** When the next delivery that could be started falls due (busy ones and full destinations aside). */
  nextDue(busy: Busy): Promise<Date | undefined>;
  count(): Promise<number>;
}
