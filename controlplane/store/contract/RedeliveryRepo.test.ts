import { expect } from "chai";
import { changes, delivery, IDLE, notify } from "../../../test/support/storeContract.js";
import { describeStores } from "../../../test/support/storeFixture.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import { TriggerStatus, WatcherStatus, type Delivery } from "../../watchers/model.js";
import { redeliveryOf } from "../../watchers/redeliveryOf.js";
import type { Resend } from "../RedeliveryRepo.js";
import type { Store } from "../Store.js";

const DEFAULT_TIMEOUT_MS = 30_000;

// The rows a redelivery at `ms` writes: to `hook` as it is then.
function resend(ms: number, hook = webhook("hook"), defaultTimeoutMs = DEFAULT_TIMEOUT_MS): Resend {
  return (m) => redeliveryOf(m, hook, { now: at(ms), defaultTimeoutMs });
}

describeStores("RedeliveryRepo", (open) => {
  let store: Store;
  let ids: () => string;
  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook"));
    await store.webhooks.insert(webhook("other"));
    ids = counter("w");
  });

  // A watcher notified at 5 s whose one delivery (msg_<watcher>) to `hookId` is in the outbox.
  async function queued(hookId = "hook", timeoutSeconds = 0): Promise<Delivery> {
    const s = spec({ triggers: [{ webhookId: hookId, timeoutSeconds }] });
    const { watcher } = await store.watchers.create(inserted(s, ids, { jobUid: "uid-1" }));
    const d = {
      ...delivery(`msg_${watcher.id}`, watcher.triggers[0]?.id ?? "", watcher.id),
      webhookId: hookId,
      headers: { "x-team": "a" },
      body: `{"watcher":"${watcher.id}"}`,
    };
    expect(await store.watchers.apply(changes({ changes: [notify(watcher.id, [d])] }))).to.equal(
      true,
    );
    return d;
  }

  // Records `d`'s attempt at `ms`: final with `status` (CALLED, FAILED, TIMEOUT), or a retry.
  function attempt(
    d: Delivery,
    status: TriggerStatus,
    ms: number,
    retry = false,
  ): Promise<boolean> {
    const recorded = store.watchers.recordAttempt({
      deliveryId: d.id,
      triggerId: d.triggerId,
      watcherId: d.watcherId,
      record: {
        status,
        attempts: 1,
        lastError: status === "CALLED" ? "" : "HTTP 503",
        calledAt: at(ms),
      },
      ...(retry && { retryAt: at(ms + 1000) }),
      ...(!retry && status === TriggerStatus.CALLED && { watcherStatus: WatcherStatus.COMPLETED }),
      ...(!retry && status !== TriggerStatus.CALLED && { watcherStatus: WatcherStatus.FAILED }),
      ...(d.redelivery && { redelivery: true }),
      at: at(ms),
    });
    return recorded.then((r) => r.recorded);
  }

  async function ended(status: TriggerStatus, ms: number, hookId = "hook"): Promise<Delivery> {
    const d = await queued(hookId);
    expect(await attempt(d, status, ms)).to.equal(true);
    return d;
  }

  const redeliver = (
    d: Delivery,
    ms: number,
    hook = webhook("hook"),
  ): ReturnType<Store["redeliveries"]["redeliver"]> =>
    store.redeliveries.redeliver(d.triggerId, resend(ms, hook));

  const dueIds = async (ms: number): Promise<string[]> =>
    (await store.deliveries.due(at(ms), 100, IDLE)).map((d) => d.id).sort();

  describe("redeliver", () => {
    it("queues the ended delivery's message again, to the webhook as it is now", async () => {
      const d = await ended(TriggerStatus.CALLED, 6000);
      expect(await store.deliveries.count()).to.equal(0);
      const now = webhook("hook", {
        url: "http://127.0.0.1:10/moved",
        secret: "whsec_new",
        previousSecret: { secret: "whsec_old", expiresAt: at(90_000) },
      });
      const result = await redeliver(d, 20_000, now);
      const expected: Delivery = {
        id: d.id,
        triggerId: d.triggerId,
        watcherId: d.watcherId,
        webhookId: "hook",
        url: "http://127.0.0.1:10/moved",
        destination: "http://127.0.0.1:10",
        body: d.body,
        contentType: d.contentType,
        headers: { "x-team": "a" },
        secret: "whsec_new",
        previousSecret: { secret: "whsec_old", expiresAt: at(90_000) },
        deadlineAt: at(20_000 + DEFAULT_TIMEOUT_MS),
        nextAttemptAt: at(20_000),
        attempts: 0,
        createdAt: at(20_000),
        redelivery: true,
      };
      expect(result).to.deep.equal({ kind: "queued", delivery: expected });
      expect(await store.deliveries.due(at(20_000), 10, IDLE)).to.deep.equal([expected]);
    });

    it("bounds it by its trigger's timeoutSeconds when it has one", async () => {
      const d = await queued("hook", 7);
      await attempt(d, TriggerStatus.TIMEOUT, 6000);
      const result = await redeliver(d, 20_000);
      expect(result.kind === "queued" && result.delivery.deadlineAt).to.deep.equal(at(27_000));
    });

    it("refuses an unknown trigger, one in the outbox, one never sent, a deleted webhook", async () => {
      const missing = { ...delivery("msg_x", "nope", "w0") };
      expect(await redeliver(missing, 9000)).to.deep.equal({ kind: "unknown-trigger" });
      const d = await queued();
      expect(await redeliver(d, 9000)).to.deep.equal({ kind: "in-flight" });
      await attempt(d, TriggerStatus.NOT_CALLED, 6000, true);
      expect(await redeliver(d, 9000)).to.deep.equal({ kind: "in-flight" });
      // A watcher whose Job never finished sent nothing.
      const { watcher } = await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-2" }));
      const never = delivery("msg_y", watcher.triggers[0]?.id ?? "", watcher.id);
      expect(await redeliver(never, 9000)).to.deep.equal({ kind: "no-message" });
      const gone = await ended(TriggerStatus.FAILED, 6000, "other");
      expect(await store.webhooks.delete("other", at(8000))).to.deep.equal({ kind: "deleted" });
      expect(await redeliver(gone, 9000, webhook("other"))).to.deep.equal({
        kind: "webhook-deleted",
      });
      expect(await dueIds(9000)).to.deep.equal([d.id]);
    });

    it("records its attempts on the trigger, not the watcher; it ends, and may be sent again", async () => {
      const d = await ended(TriggerStatus.FAILED, 6000);
      const result = await redeliver(d, 10_000);
      if (result.kind !== "queued") throw new Error(result.kind);
      const r = result.delivery;
      // A retry counts on the trigger and leaves its status.
      expect(await attempt(r, TriggerStatus.NOT_CALLED, 11_000, true)).to.equal(true);
      let w = await store.watchers.get(d.watcherId);
      expect(w?.triggers[0]).to.include({ status: "FAILED", attempts: 2, lastError: "HTTP 503" });
      expect(await dueIds(12_000)).to.deep.equal([d.id]);
      // Its final result sets the trigger's status, whatever it was; the watcher stays FAILED.
      expect(
        await store.watchers.recordAttempt({
          deliveryId: r.id,
          triggerId: r.triggerId,
          watcherId: r.watcherId,
          record: {
            status: TriggerStatus.CALLED,
            attempts: 2,
            lastError: "",
            calledAt: at(12_000),
          },
          redelivery: true,
          at: at(12_000),
        }),
      ).to.deep.equal({ recorded: true, webhookDisabled: false });
      w = await store.watchers.get(d.watcherId);
      expect(w?.status).to.equal(WatcherStatus.FAILED);
      expect(w?.triggers[0]).to.include({ status: "CALLED", attempts: 3, lastError: "" });
      expect(w?.triggers[0]?.calledAt).to.deep.equal(at(12_000));
      expect(await store.deliveries.count()).to.equal(0);
      // The same message ended again: delivered now, so a recovery leaves it alone.
      expect(
        await store.redeliveries.recover("hook", at(0), resend(13_000, webhook("hook"), 1000)),
      ).to.equal(0);
      expect((await redeliver(d, 14_000)).kind).to.equal("queued");
    });
  });

  describe("recover", () => {
    it("queues the undelivered messages ended since a time, once each, none in the outbox", async () => {
      await ended(TriggerStatus.CALLED, 6000); // delivered
      await ended(TriggerStatus.FAILED, 5000); // before `since`
      const failed = await ended(TriggerStatus.FAILED, 6000);
      const timedOut = await ended(TriggerStatus.TIMEOUT, 7000);
      const busy = await ended(TriggerStatus.TIMEOUT, 7000);
      expect((await redeliver(busy, 8000)).kind).to.equal("queued"); // in the outbox again
      await ended(TriggerStatus.FAILED, 7000, "other"); // another webhook
      await queued(); // never ended
      const before = await dueIds(9000);

      const n = await store.redeliveries.recover(
        "hook",
        at(6000),
        resend(9000, webhook("hook"), 1000),
      );
      expect(n).to.equal(2);
      const added = (await dueIds(9000)).filter((id) => !before.includes(id));
      expect(added).to.deep.equal([failed.id, timedOut.id].sort());
      const rows = await store.deliveries.due(at(9000), 100, IDLE);
      for (const r of rows.filter((x) => added.includes(x.id))) {
        expect(r).to.include({ redelivery: true, attempts: 0, webhookId: "hook" });
        expect(r.deadlineAt).to.deep.equal(at(10_000));
      }
      // They are in the outbox now: a second recovery queues none.
      expect(
        await store.redeliveries.recover("hook", at(6000), resend(9500, webhook("hook"), 1000)),
      ).to.equal(0);
    });

    it("queues nothing for a deleted webhook", async () => {
      await ended(TriggerStatus.FAILED, 6000, "other");
      await store.webhooks.delete("other", at(7000));
      expect(
        await store.redeliveries.recover("other", at(0), resend(8000, webhook("other"), 1000)),
      ).to.equal(0);
      expect(await store.deliveries.count()).to.equal(0);
    });
  });

  it("keeps a message until the delivery log's pruning passes its end (--delivery-retention)", async () => {
    const d = await ended(TriggerStatus.FAILED, 6000);
    // Ended at 6 s: a cut at 6 s keeps it, one just after takes it.
    expect(await store.deliveryLog.prune(at(6000), 100)).to.equal(0);
    expect(await store.deliveryLog.prune(at(6001), 100)).to.equal(1);
    expect(await redeliver(d, 10_000)).to.deep.equal({ kind: "no-message" });
  });
});
