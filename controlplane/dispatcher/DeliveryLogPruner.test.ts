import { expect } from "chai";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../common/pinoLogger.js";
import { ErrorClass } from "../../contract/model.js";
import { processing } from "../../test/support/storeContract.js";
import { counter, webhook } from "../../test/support/watcherFixtures.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import type { Store } from "../store/Store.js";
import type { AttemptChanges } from "../store/WatcherRepo.js";
import { TriggerStatus } from "../watchers/model.js";
import { DeliveryLogPruner } from "./DeliveryLogPruner.js";

const log = createLogger("silent", "test");
const T0 = Date.parse("2026-01-01T00:00:00Z");
// A receiver's error page, as many send: the log keeps its first 1 KiB.
const PAGE = "<html><body>" + "Service Unavailable. ".repeat(60) + "</body></html>";

// Attempt n of the one delivery msg_1 (watcher w1, trigger w2), at T0 + n seconds: a 503, retried.
function attemptAt(n: number): AttemptChanges {
  const startedAt = new Date(T0 + n * 1000);
  return {
    deliveryId: "msg_1",
    triggerId: "w2",
    watcherId: "w1",
    record: {
      status: TriggerStatus.NOT_CALLED,
      attempts: n,
      lastError: "HTTP 503",
      calledAt: startedAt,
    },
    retryAt: new Date(startedAt.getTime() + 1000),
    at: startedAt,
    log: {
      deliveryId: "msg_1",
      triggerId: "w2",
      watcherId: "w1",
      webhookId: "hook",
      startedAt,
      durationMs: 25,
      host: "receiver.example:8443",
      statusCode: 503,
      errorClass: ErrorClass.HTTP,
      error: "HTTP 503: Service Unavailable.",
      responseBody: PAGE.slice(0, 1024),
      responseHeaders: { "content-type": "text/html", "retry-after": "1", server: "nginx" },
      outcome: "retry",
      nextAttemptAt: new Date(startedAt.getTime() + 1000),
      redelivery: false,
    },
  };
}

async function rows(store: Store): Promise<number> {
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.deliveryLog.attempts("w1", 1000, after);
    if (page.length === 0) return n;
    n += page.length;
    after = page.at(-1)?.id;
  }
}

describe("DeliveryLogPruner", () => {
  let dir: string;
  let store: Store;
  let clock = T0;
  const now = (): Date => new Date(clock);
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "jobhooks-prune-"));
    store = SqliteStore.open({ kind: "sqlite", path: join(dir, "jobhooks.db") });
    await store.webhooks.insert(webhook("hook"));
    await processing(store, counter("w"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The WAL checkpointed into the file first, so the file holds every row.
  async function fileBytes(): Promise<number> {
    await store.probe(now(), true);
    return statSync(join(dir, "jobhooks.db")).size;
  }

  it("with 10,000 attempts and a short retention, keeps the recent ones and the file stops growing", async function () {
    this.timeout(120_000);
    const retentionMs = 1000 * 1000; // 1,000 attempts' worth: one a second
    const pruner = new DeliveryLogPruner({ store, log, retentionMs, batch: 1000, now });
    const figures: { attempts: number; rows: number; bytes: number }[] = [];
    let pruned = 0;
    for (let n = 1; n <= 10_000; n++) {
      clock = T0 + n * 1000;
      await store.watchers.recordAttempt(attemptAt(n));
      if (n % 500 === 0) pruned += await pruner.prune();
      if (n % 2000 === 0)
        figures.push({ attempts: n, rows: await rows(store), bytes: await fileBytes() });
    }
    for (const f of figures) {
      console.log(`      after ${f.attempts} attempts: ${f.rows} rows kept, file ${f.bytes} bytes`);
    }
    console.log(`      pruned ${pruned} rows in all`);
    expect(pruned).to.equal(10_000 - (await rows(store)));
    // Kept: at most the retention's worth, and the 500 recorded since the last pass.
    for (const f of figures) expect(f.rows).to.be.within(1000, 1500);
    // Growth stops: past the first passes, a few pages at most (index pages splitting as ids rise).
    const [, second, ...later] = figures.map((f) => f.bytes);
    for (const bytes of later) expect(bytes).to.be.at.most((second ?? 0) + 16 * 1024);
    const oldest = (await store.deliveryLog.attempts("w1", 1))[0];
    expect(oldest?.startedAt.getTime()).to.be.at.least(T0 + (9500 - 1000) * 1000);
  });

  it("without pruning, the same attempts grow the file (the comparison)", async function () {
    this.timeout(120_000);
    const sizes: number[] = [];
    for (let n = 1; n <= 10_000; n++) {
      clock = T0 + n * 1000;
      await store.watchers.recordAttempt(attemptAt(n));
      if (n % 5000 === 0) sizes.push(await fileBytes());
    }
    console.log(`      unpruned: 10000 rows, file ${sizes.join(" → ")} bytes (at 5000, 10000)`);
    expect(sizes[1]).to.be.greaterThan((sizes[0] ?? 0) * 1.5);
  });

  it("a retention of 0 keeps nothing older than the pass", async () => {
    for (let n = 1; n <= 3; n++) await store.watchers.recordAttempt(attemptAt(n));
    clock = T0 + 3000;
    const pruner = new DeliveryLogPruner({ store, log, retentionMs: 0, now });
    expect(await pruner.prune()).to.equal(2);
    clock = T0 + 3001;
    expect(await pruner.prune()).to.equal(1);
    expect(await rows(store)).to.equal(0);
  });

  it("runs as a part: prunes at once, again on its pass, and stops when told", async () => {
    for (let n = 1; n <= 3; n++) await store.watchers.recordAttempt(attemptAt(n));
    clock = T0 + 10_000;
    let counted = 0;
    const pruner = new DeliveryLogPruner({
      store,
      log,
      retentionMs: 7500,
      now,
      onPruned: (r) => (counted += r),
    });
    const stop = new AbortController();
    const running = pruner.run(stop.signal);
    while (counted < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    await running;
    expect(counted).to.equal(2);
    expect(await rows(store)).to.equal(1);
  });
});
