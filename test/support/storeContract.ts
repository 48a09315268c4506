import { expect } from "chai";
import type { Busy } from "../../controlplane/store/DeliveryRepo.js";
import type { Store } from "../../controlplane/store/Store.js";
import type { WatcherChanges } from "../../controlplane/store/WatcherRepo.js";
import { Outcome, WatcherStatus, type Delivery } from "../../controlplane/watchers/model.js";
import { at, inserted, spec } from "./watcherFixtures.js";

// Shapes for the store's contract tests (controlplane/store/contract/), shared by its files.

/** Nothing in flight, room everywhere; what is handed out is free again at once. */
export const IDLE: Busy = {
  ids: new Set<string>(),
  perDestination: new Map<string, number>(),
  destinationCap: 9,
  claimUntil: new Date(0),
};

export function changes(over: Partial<WatcherChanges>): WatcherChanges {
  return { spawn: [], changes: [], labels: [], at: at(5000), ...over };
}

export function delivery(id: string, triggerId: string, watcherId: string): Delivery {
  return {
    id,
    triggerId,
    watcherId,
    webhookId: "hook",
    url: "http://127.0.0.1:9/hook",
    destination: "http://127.0.0.1:9",
    body: "{}",
    contentType: "application/json",
    secret: undefined,
    deadlineAt: at(60_000),
    nextAttemptAt: at(5000),
    attempts: 0,
    createdAt: at(5000),
  };
}

/** A notify change for `watcherId`: PROCESSING, owing `deliveries`. */
export function notify(
  watcherId: string,
  deliveries: Delivery[],
): Extract<WatcherChanges["changes"][number], { kind: "notify" }> {
  return {
    kind: "notify",
    id: watcherId,
    outcome: Outcome.SUCCEEDED,
    status: WatcherStatus.PROCESSING,
    deliveries,
  };
}

/**
 * A watcher bound to uid-1 that was told to notify: PROCESSING, with one delivery "msg_1".
 * With the first ids of `ids`, the watcher is w1 and its trigger w2.
 */
export async function processing(store: Store, ids: () => string): Promise<string> {
  const { watcher } = await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-1" }));
  const d = delivery("msg_1", watcher.triggers[0]?.id ?? "", watcher.id);
  expect(await store.watchers.apply(changes({ changes: [notify(watcher.id, [d])] }))).to.equal(
    true,
  );
  return watcher.id;
}
