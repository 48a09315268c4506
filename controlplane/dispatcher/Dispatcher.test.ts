import { expect } from "chai";
import { createLogger } from "../../common/pinoLogger.js";
import { testEgress } from "../../test/support/egress.js";
import { Receiver } from "../../test/support/receiver.js";
import { finished, spec, webhook } from "../../test/support/watcherFixtures.js";
import { ControlplaneMetrics } from "../metrics.js";
import type { Store } from "../store/Store.js";
import { describeStores } from "../../test/support/storeFixture.js";
import { TriggerStatus, WatcherStatus, type Watcher } from "../watchers/model.js";
import { WatcherEngine } from "../watchers/WatcherEngine.js";
import { Dispatcher } from "./Dispatcher.js";

// Real HTTP to a receiver on 127.0.0.1; short backoffs.
describeStores("Dispatcher over a store and a receiver on 127.0.0.1", (open) => {
  let receiver: Receiver;
  let store: Store;
  let engine: WatcherEngine;
  let dispatcher: Dispatcher;
  let stop: AbortController;
  let running: Promise<void>;
  let progress: { watcherId: string; status: WatcherStatus | undefined }[];

  before(async () => {
    receiver = await Receiver.start();
  });
  after(() => receiver.stop());

  beforeEach(async () => {
    receiver.requests.length = 0;
    store = await open();
    const log = createLogger("silent", "test");
    engine = new WatcherEngine({
      store,
      jobs: {
        answering: true,
        findByName: () => undefined,
        find: () => Promise.reject(new Error("this test has no apiserver")),
      },
      log,
      defaultDeliveryTimeoutMs: 5000,
      jobWaitMs: 60_000,
    });
    progress = [];
    dispatcher = new Dispatcher({
      store,
      log,
      metrics: new ControlplaneMetrics(() => store.deliveries.count()),
      concurrency: 4,
      perDestination: 2,
      attemptTimeoutMs: 2000,
      backoff: { baseMs: 20, maxMs: 40 },
      egress: testEgress,
      shutdownGraceMs: 100,
      onProgress: (watcherId, status) => progress.push({ watcherId, status }),
    });
    engine.events.onDeliveriesQueued(() => dispatcher.kick());
    engine.events.onEnded((id) => dispatcher.abortWatcher(id));
    stop = new AbortController();
    running = dispatcher.run(stop.signal);
  });

  afterEach(async () => {
    stop.abort();
    await running;
  });

  // A watcher of the Job "job" with one trigger to `path`, whose Job then succeeds.
  async function fire(path: string, timeoutSeconds = 0): Promise<Watcher> {
    await store.webhooks.insert(webhook(path, { url: `${receiver.url}/${path}` }));
    const triggers = [{ webhookId: path, timeoutSeconds }];
    const { watcher } = await engine.createWatcher(spec({ jobName: path, triggers }));
    await engine.upsert(finished("SUCCEEDED", { name: path, uid: `uid-${path}` }));
    return watcher;
  }

  async function settled(id: string): Promise<Watcher> {
    for (let i = 0; i < 200; i++) {
      const w = await store.watchers.get(id);
      if (w && w.status !== WatcherStatus.PROCESSING) return w;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`watcher ${id} still PROCESSING`);
  }

  it("a 2xx: the trigger CALLED, the watcher COMPLETED, the Job queued for its label", async () => {
    const w = await fire("ok");
    const done = await settled(w.id);
    expect(done.status).to.equal(WatcherStatus.COMPLETED);
    expect(done.triggers[0]).to.include({ status: TriggerStatus.CALLED, attempts: 1 });
    const [request] = receiver.on("/ok");
    expect(request?.headers["webhook-id"]).to.match(/^msg_[0-9a-f]{32}$/);
    expect(await store.deliveries.count()).to.equal(0);
    expect(
      (await store.labels.due(new Date(), 10, new Date(0))).map((t) => t.jobUid),
    ).to.deep.equal(["uid-ok"]);
    expect(progress.at(-1)?.status).to.equal(WatcherStatus.COMPLETED);
  });

  it("results that arrive together settle a watcher of two triggers, and its Job's label", async () => {
    // Two watchers of one Job, three deliveries at once: however their results are batched,
    // each decision sees the others' (the last one settles each watcher and labels the Job).
    for (const path of ["pair-a", "pair-b"]) {
      await store.webhooks.insert(webhook(path, { url: `${receiver.url}/${path}` }));
    }
    const triggers = (ids: string[]): { webhookId: string; timeoutSeconds: number }[] =>
      ids.map((webhookId) => ({ webhookId, timeoutSeconds: 0 }));
    const both = await engine.createWatcher(
      spec({ jobName: "pair", triggers: triggers(["pair-a", "pair-b"]) }),
    );
    const one = await engine.createWatcher(
      spec({ jobName: "pair", triggers: triggers(["pair-a"]) }),
    );
    await engine.upsert(finished("SUCCEEDED", { name: "pair", uid: "uid-pair" }));
    for (const w of [both.watcher, one.watcher]) {
      const done = await settled(w.id);
      expect(done.status).to.equal(WatcherStatus.COMPLETED);
      expect(done.triggers.every((t) => t.status === TriggerStatus.CALLED)).to.equal(true);
    }
    expect(
      (await store.labels.due(new Date(), 10, new Date(0))).map((t) => t.jobUid),
    ).to.deep.equal(["uid-pair"]);
  });

  it("retries a 503 with the same webhook-id until a 2xx", async () => {
    receiver.script("/flaky", [{ status: 503 }, { status: 503 }, { status: 204 }]);
    const w = await fire("flaky");
    const done = await settled(w.id);
    expect(done.triggers[0]).to.include({ status: TriggerStatus.CALLED, attempts: 3 });
    const ids = new Set(receiver.on("/flaky").map((r) => r.headers["webhook-id"]));
    expect(ids.size).to.equal(1);
    // Listeners heard of each retry, then of the end.
    expect(progress.map((p) => p.status)).to.deep.equal([
      undefined,
      undefined,
      WatcherStatus.COMPLETED,
    ]);
    // Each attempt is in the log, with its class and status.
    const log = await store.deliveryLog.attempts(w.id, 10);
    expect(log.map((a) => [a.outcome, a.errorClass, a.statusCode])).to.deep.equal([
      ["retry", "http", 503],
      ["retry", "http", 503],
      ["delivered", undefined, 204],
    ]);
    expect(
      log.every((a) => a.webhookId === "flaky" && a.host === new URL(receiver.url).host),
    ).to.equal(true);
  });

  it("a refusal (4xx) is final: the trigger and the watcher FAILED, with the reason", async () => {
    receiver.script("/refuse", [{ status: 400 }]);
    const done = await settled((await fire("refuse")).id);
    expect(done.status).to.equal(WatcherStatus.FAILED);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.FAILED);
    expect(done.triggers[0]?.lastError).to.match(/400/);
    expect(receiver.on("/refuse")).to.have.length(1);
  });

  it("gives up at the trigger's timeoutSeconds: TIMEOUT", async () => {
    receiver.script("/down", [{ status: 503 }]);
    const done = await settled((await fire("down", 1)).id);
    expect(done.status).to.equal(WatcherStatus.FAILED);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.TIMEOUT);
    expect(done.triggers[0]?.lastError).to.match(/no 2xx before the delivery deadline/);
  });

  it("cancelling a watcher aborts its attempt in flight; nothing is recorded after", async () => {
    receiver.script("/hang", ["hang"]);
    const w = await fire("hang");
    await receiver.waitFor("/hang", 1);
    await engine.cancelWatcher(w.id);
    await new Promise((r) => setTimeout(r, 100));
    const after = await store.watchers.get(w.id);
    expect(after?.status).to.equal(WatcherStatus.CANCELLED);
    expect(after?.triggers[0]).to.include({ status: TriggerStatus.CANCELLED, attempts: 0 });
    expect(await store.deliveries.count()).to.equal(0);
    expect(await store.deliveryLog.attempts(w.id, 10)).to.deep.equal([]);
  });
});
