import { expect } from "chai";
import { createLogger } from "../../common/pinoLogger.js";
import { testEgress } from "../../test/support/egress.js";
import { Receiver } from "../../test/support/receiver.js";
import { describeStores } from "../../test/support/storeFixture.js";
import { finished, spec, webhook } from "../../test/support/watcherFixtures.js";
import { ControlplaneMetrics } from "../metrics.js";
import type { Store } from "../store/Store.js";
import { TriggerStatus, WatcherStatus, type Delivery } from "../watchers/model.js";
import { WatcherEngine } from "../watchers/WatcherEngine.js";
import { Dispatcher } from "./Dispatcher.js";

// Polls `check` every 20 ms, for 2 s at most.
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

// --disable-after through the dispatcher: real HTTP to 127.0.0.1, short backoffs, 300 ms.
describeStores("Dispatcher: disabling a webhook that keeps failing", (open) => {
  let receiver: Receiver;
  let store: Store;
  let engine: WatcherEngine;
  let stop: AbortController;
  let running: Promise<void>;
  let dispatcher: Dispatcher;
  let disabled: Delivery[];

  beforeEach(async () => {
    receiver = await Receiver.start();
    store = await open();
    const log = createLogger("silent", "test");
    const jobs = {
      answering: true,
      findByName: () => undefined,
      find: () => Promise.reject(new Error("none")),
    };
    engine = new WatcherEngine({
      store,
      jobs,
      log,
      defaultDeliveryTimeoutMs: 60_000,
      jobWaitMs: 60_000,
    });
    disabled = [];
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
      onProgress: () => undefined,
      disableAfterMs: 300,
      onWebhookDisabled: (d) => disabled.push(d),
    });
    engine.events.onDeliveriesQueued(() => dispatcher.kick());
    stop = new AbortController();
    running = dispatcher.run(stop.signal);
  });

  afterEach(async () => {
    stop.abort();
    await running;
    await receiver.stop();
  });

  it("disables it once after failing for disableAfterMs, then sends nothing until enabled", async () => {
    receiver.script("/down", [{ status: 503 }]);
    await store.webhooks.insert(webhook("down", { url: `${receiver.url}/down` }));
    const triggers = [{ webhookId: "down", timeoutSeconds: 0 }];
    const { watcher } = await engine.createWatcher(spec({ jobName: "job", triggers }));
    await engine.upsert(finished("SUCCEEDED", { name: "job", uid: "uid-1" }));

    await until(() => disabled.length > 0);
    expect(disabled.map((d) => d.webhookId)).to.deep.equal(["down"]);
    const sent = receiver.on("/down").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.on("/down").length).to.equal(sent);
    expect((await store.webhooks.get("down"))?.disabledAt).to.be.instanceOf(Date);
    expect((await store.watchers.get(watcher.id))?.triggers[0]?.status).to.equal(
      TriggerStatus.NOT_CALLED,
    );

    receiver.script("/down", [{ status: 200 }]);
    await store.webhooks.enable("down", new Date(), 60_000);
    dispatcher.kick();
    const completed = async (): Promise<boolean> =>
      (await store.watchers.get(watcher.id))?.status === WatcherStatus.COMPLETED;
    await until(completed);
    expect((await store.watchers.get(watcher.id))?.triggers[0]?.status).to.equal(
      TriggerStatus.CALLED,
    );
    expect(disabled).to.have.length(1);
  });
});
