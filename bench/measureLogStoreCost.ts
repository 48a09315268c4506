import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../controlplane/store/sqlite/SqliteStore.js";
import type { Store } from "../controlplane/store/Store.js";
import type { AttemptChanges } from "../controlplane/store/WatcherRepo.js";
import { TriggerStatus, WatcherStatus } from "../controlplane/watchers/model.js";
import { changes, delivery, notify } from "../test/support/storeContract.js";
import { at, counter, inserted, spec, webhook } from "../test/support/watcherFixtures.js";

const DELIVERIES = 2000;

export interface LogStoreCost {
  deliveries: number;
  /** Mean time of one recordAttempt (a 2xx settling its watcher), with and without the log row. */
  withLogUs: number;
  withoutLogUs: number;
}

/**
 * The attempt log's cost where it is paid, in the store: recordAttempt for a 2xx that completes
 * its watcher and queues its Job's label (the burst's path), on an SQLite file, with and without
 * the attempts row; the two orders alternate so neither always runs on a warmer machine.
 */
export async function measureLogStoreCost(): Promise<LogStoreCost> {
  const runs: { log: boolean; us: number }[] = [];
  for (const log of [false, true, true, false]) runs.push({ log, us: await meanRecordUs(log) });
  const mean = (log: boolean): number => {
    const of = runs.filter((r) => r.log === log);
    return of.reduce((sum, r) => sum + r.us, 0) / of.length;
  };
  return { deliveries: DELIVERIES, withLogUs: mean(true), withoutLogUs: mean(false) };
}

async function meanRecordUs(log: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-bench-log-"));
  const store = SqliteStore.open({ kind: "sqlite", path: join(dir, "jobhooks.db") });
  try {
    const owed = await queue(store);
    const started = performance.now();
    for (const c of owed) await store.watchers.recordAttempt(log ? c : { ...c, log: undefined });
    return ((performance.now() - started) * 1000) / owed.length;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// DELIVERIES PROCESSING watchers, one delivery each, and the 2xx that settles each.
async function queue(store: Store): Promise<AttemptChanges[]> {
  await store.webhooks.insert(webhook("hook"));
  const ids = counter("w");
  const owed: AttemptChanges[] = [];
  for (let i = 0; i < DELIVERIES; i++) {
    const uid = `uid-${i}`;
    const { watcher } = await store.watchers.create(inserted(spec(), ids, { jobUid: uid }));
    const triggerId = watcher.triggers[0]?.id ?? "";
    const d = delivery(`msg_${i}`, triggerId, watcher.id);
    await store.watchers.apply(changes({ changes: [notify(watcher.id, [d])] }));
    owed.push(settled(d.id, triggerId, watcher.id, uid));
  }
  return owed;
}

function settled(id: string, triggerId: string, watcherId: string, uid: string): AttemptChanges {
  const calledAt = at(6000);
  return {
    deliveryId: id,
    triggerId,
    watcherId,
    record: { status: TriggerStatus.CALLED, attempts: 1, lastError: "", calledAt },
    watcherStatus: WatcherStatus.COMPLETED,
    label: { uid, namespace: "ns", name: "job" },
    at: at(6010),
    log: {
      deliveryId: id,
      triggerId,
      watcherId,
      webhookId: "hook",
      startedAt: calledAt,
      durationMs: 3,
      host: "127.0.0.1:8080",
      statusCode: 200,
      errorClass: undefined,
      error: "",
      responseBody: "ok",
      responseHeaders: {
        "content-type": "text/plain",
        "content-length": "2",
        date: "Thu, 03 Dec 2026 04:00:00 GMT",
      },
      outcome: "delivered",
      nextAttemptAt: undefined,
      redelivery: false,
    },
  };
}
