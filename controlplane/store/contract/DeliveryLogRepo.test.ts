import { expect } from "chai";
import { changes, processing } from "../../../test/support/storeContract.js";
import { describeStores } from "../../../test/support/storeFixture.js";
import { at, counter, webhook } from "../../../test/support/watcherFixtures.js";
import { ErrorClass } from "../../../contract/model.js";
import { CANCELLED } from "../../watchers/decideEnding.js";
import { TriggerStatus } from "../../watchers/model.js";
import type { Store } from "../Store.js";
import type { AttemptChanges, AttemptLogEntry } from "../WatcherRepo.js";

// An attempt of msg_1 (watcher w1, trigger w2) at `startMs`, answered 503: a retry.
function entry(startMs: number, over: Partial<AttemptLogEntry> = {}): AttemptLogEntry {
  return {
    deliveryId: "msg_1",
    triggerId: "w2",
    watcherId: "w1",
    webhookId: "hook",
    startedAt: at(startMs),
    durationMs: 12,
    host: "127.0.0.1:9",
    statusCode: 503,
    errorClass: ErrorClass.HTTP,
    error: "HTTP 503: busy",
    responseBody: "busy\u00e9",
    responseHeaders: { "content-type": "text/plain", "retry-after": "1" },
    outcome: "retry",
    nextAttemptAt: at(startMs + 1000),
    redelivery: false,
    ...over,
  };
}

function retried(log: AttemptLogEntry): AttemptChanges {
  return {
    deliveryId: "msg_1",
    triggerId: "w2",
    watcherId: "w1",
    record: {
      status: TriggerStatus.NOT_CALLED,
      attempts: 1,
      lastError: log.error,
      calledAt: log.startedAt,
    },
    retryAt: log.nextAttemptAt ?? at(0),
    log,
    at: log.startedAt,
  };
}

describeStores("DeliveryLogRepo", (open) => {
  let store: Store;
  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook"));
    await processing(store, counter("w"));
  });

  it("recordAttempt writes the attempt's row, which reads back as written", async () => {
    const first = entry(6000);
    await store.watchers.recordAttempt(retried(first));
    const [row] = await store.deliveryLog.attempts("w1", 10);
    expect(row?.id).to.be.a("string");
    expect({ ...row, id: undefined }).to.deep.equal({ ...first, id: undefined });
  });

  it("a success keeps no class, no status-less fields, and its empty headers", async () => {
    const ok = entry(6000, {
      statusCode: 200,
      errorClass: undefined,
      error: "",
      responseBody: "",
      responseHeaders: {},
      outcome: "delivered",
      nextAttemptAt: undefined,
      redelivery: true,
    });
    await store.watchers.recordAttempt({
      ...retried(ok),
      record: { status: TriggerStatus.CALLED, attempts: 1, lastError: "", calledAt: at(6000) },
      retryAt: undefined,
    });
    const rows = await store.deliveryLog.attempts("w1", 10);
    expect(rows.map((r) => ({ ...r, id: undefined }))).to.deep.equal([{ ...ok, id: undefined }]);
  });

  it("writes no row when the delivery is gone, nor without a log entry", async () => {
    await store.watchers.recordAttempt({ ...retried(entry(6000)), log: undefined });
    await store.watchers.apply(
      changes({ changes: [{ kind: "end", id: "w1", ending: CANCELLED }] }),
    );
    expect((await store.watchers.recordAttempt(retried(entry(7000)))).recorded).to.equal(false);
    expect(await store.deliveryLog.attempts("w1", 10)).to.deep.equal([]);
  });

  it("recordAttempts writes several in order in one transaction, and answers each", async () => {
    const second = {
      ...retried(entry(7000)),
      record: { ...retried(entry(7000)).record, attempts: 2 },
    };
    const recorded = await store.watchers.recordAttempts([retried(entry(6000)), second]);
    expect(recorded).to.deep.equal([
      { recorded: true, webhookDisabled: false },
      { recorded: true, webhookDisabled: false },
    ]);
    const rows = await store.deliveryLog.attempts("w1", 10);
    expect(rows.map((a) => a.startedAt)).to.deep.equal([at(6000), at(7000)]);
    expect((await store.watchers.get("w1"))?.triggers[0]?.attempts).to.equal(2);
  });

  it("recordAttempts writes all or none: one that fails leaves the others unwritten", async () => {
    // A row the schema refuses (host is NOT NULL), after one it takes.
    const refused = retried(entry(7000, { host: null as unknown as string }));
    const batch = store.watchers.recordAttempts([retried(entry(6000)), refused]);
    await batch.then(
      () => expect.fail("a refused row was written"),
      () => undefined,
    );
    expect(await store.deliveryLog.attempts("w1", 10)).to.deep.equal([]);
    expect((await store.watchers.get("w1"))?.triggers[0]?.attempts).to.equal(0);
  });

  it("lists a watcher's attempts oldest first, after an id, up to a limit", async () => {
    for (const ms of [6000, 7000, 8000]) await store.watchers.recordAttempt(retried(entry(ms)));
    const all = await store.deliveryLog.attempts("w1", 10);
    expect(all.map((a) => a.startedAt)).to.deep.equal([at(6000), at(7000), at(8000)]);
    const ids = all.map((a) => Number(a.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
    const page = await store.deliveryLog.attempts("w1", 1, all[0]?.id);
    expect(page.map((a) => a.startedAt)).to.deep.equal([at(7000)]);
    expect(await store.deliveryLog.attempts("w1", 10, all[2]?.id)).to.deep.equal([]);
    expect(await store.deliveryLog.attempts("other", 10)).to.deep.equal([]);
  });

  it("prunes attempts started before a time, at most `limit` at once, and answers how many", async () => {
    for (const ms of [6000, 7000, 8000, 9000])
      await store.watchers.recordAttempt(retried(entry(ms)));
    expect(await store.deliveryLog.prune(at(8500), 2)).to.equal(2);
    expect(await store.deliveryLog.prune(at(8500), 2)).to.equal(1);
    expect(await store.deliveryLog.prune(at(8500), 2)).to.equal(0);
    const left = await store.deliveryLog.attempts("w1", 10);
    expect(left.map((a) => a.startedAt)).to.deep.equal([at(9000)]);
  });
});
