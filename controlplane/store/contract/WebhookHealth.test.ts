import { expect } from "chai";
import { changes, delivery, IDLE, notify } from "../../../test/support/storeContract.js";
import { describeStores } from "../../../test/support/storeFixture.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import { PARKED_MS, TriggerStatus, type Delivery } from "../../watchers/model.js";
import type { Store } from "../Store.js";
import type { AttemptChanges } from "../WatcherRepo.js";

const S1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const S2 = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const S3 = "whsec_Lq3E6ptPw8Kn0TLuL6TQv5ST4hE6R1Mz";
const LATE = new Date(PARKED_MS - 1);

describeStores("WebhookRepo: endpoint health and secret rotation", (open) => {
  let store: Store;
  let ids: () => string;
  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook", { secret: S1 }));
    ids = counter("w");
  });

  // A PROCESSING watcher owing delivery `id` to "hook"; the delivery as written.
  async function owed(id: string, over: Partial<Delivery> = {}): Promise<Delivery> {
    const { watcher } = await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-1" }));
    const d = { ...delivery(id, watcher.triggers[0]?.id ?? "", watcher.id), secret: S1, ...over };
    expect(await store.watchers.apply(changes({ changes: [notify(watcher.id, [d])] }))).to.equal(
      true,
    );
    return d;
  }

  // An attempt of `d` recorded at `ms`, started 100 ms before; a failure is retried at ms + 1000.
  function attempt(d: Delivery, ms: number, ok: boolean, disableAfterMs = 10_000): AttemptChanges {
    return {
      deliveryId: d.id,
      triggerId: d.triggerId,
      watcherId: d.watcherId,
      record: {
        status: ok ? TriggerStatus.CALLED : TriggerStatus.NOT_CALLED,
        attempts: 1,
        lastError: ok ? "" : "HTTP 503",
        calledAt: at(ms - 100),
      },
      ...(!ok && { retryAt: at(ms + 1000) }),
      at: at(ms),
      health: { webhookId: "hook", disableAfterMs },
    };
  }

  it("a failure starts failing_since, a later one keeps it, a success clears it", async () => {
    const d = await owed("msg_1");
    await store.watchers.recordAttempt(attempt(d, 6000, false));
    await store.watchers.recordAttempt(attempt(d, 8000, false));
    expect((await store.webhooks.get("hook"))?.failingSince).to.deep.equal(at(5900));
    await store.watchers.recordAttempt(attempt(d, 9000, true));
    const w = await store.webhooks.get("hook");
    expect(w?.failingSince).to.equal(undefined);
    expect(w?.disabledAt).to.equal(undefined);
  });

  it("failing for --disable-after disables it once and parks every owed row", async () => {
    const d = await owed("msg_1");
    await owed("msg_2");
    expect((await store.watchers.recordAttempt(attempt(d, 6000, false))).webhookDisabled).to.equal(
      false,
    );
    // Failing since 5900 (the first attempt's start): 9,999 ms is not yet 10 s.
    const early = await store.watchers.recordAttempt(attempt(d, 15_899, false));
    expect(early.webhookDisabled).to.equal(false);
    const tipping = await store.watchers.recordAttempt(attempt(d, 15_900, false));
    expect(tipping).to.deep.equal({ recorded: true, webhookDisabled: true });
    expect((await store.webhooks.get("hook"))?.disabledAt).to.deep.equal(at(15_900));
    expect(await store.webhooks.disabledCount()).to.equal(1);
    expect(await store.deliveries.due(LATE, 10, IDLE)).to.deep.equal([]);
    expect(await store.deliveries.count()).to.equal(2);
    // Another attempt that was in flight: recorded, parked, not announced again.
    const again = await store.watchers.recordAttempt(attempt(d, 17_000, false));
    expect(again.webhookDisabled).to.equal(false);
    expect(await store.deliveries.due(LATE, 10, IDLE)).to.deep.equal([]);
    // One that succeeds clears failingSince; the webhook stays disabled until enabled.
    await store.watchers.recordAttempt(attempt(d, 18_000, true));
    const w = await store.webhooks.get("hook");
    expect(w?.disabledAt).to.deep.equal(at(15_900));
    expect(w?.failingSince).to.equal(undefined);
  });

  it("never disables with --disable-after 0", async () => {
    const d = await owed("msg_1");
    await store.watchers.recordAttempt(attempt(d, 6000, false, 0));
    await store.watchers.recordAttempt(attempt(d, 900_000, false, 0));
    expect((await store.webhooks.get("hook"))?.disabledAt).to.equal(undefined);
    expect(await store.deliveries.due(at(901_000), 10, IDLE)).to.have.length(1);
  });

  it("parks new rows for a disabled webhook, and enabling makes them due with time left", async () => {
    const d = await owed("msg_1");
    await store.watchers.recordAttempt(attempt(d, 6000, false));
    await store.watchers.recordAttempt(attempt(d, 16_000, false));
    // Built as due now by a replica that had not seen it disabled.
    await owed("msg_2");
    expect(await store.deliveries.due(LATE, 10, IDLE)).to.deep.equal([]);

    const enabled = await store.webhooks.enable("hook", at(100_000), 30_000);
    expect(enabled?.wasDisabled).to.equal(true);
    expect(enabled?.webhook.disabledAt).to.equal(undefined);
    expect(enabled?.webhook.failingSince).to.equal(undefined);
    expect(await store.webhooks.disabledCount()).to.equal(0);
    const due = await store.deliveries.due(at(100_000), 10, IDLE);
    expect(due.map((x) => x.id).sort()).to.deep.equal(["msg_1", "msg_2"]);
    // The fixture's deadline (60 s) had passed: each now has the 30 s asked for.
    expect(due.map((x) => x.deadlineAt.getTime())).to.deep.equal([
      at(130_000).getTime(),
      at(130_000).getTime(),
    ]);
    expect((await store.webhooks.enable("hook", at(101_000), 30_000))?.wasDisabled).to.equal(false);
    expect(await store.webhooks.enable("nope", at(101_000), 30_000)).to.equal(undefined);
  });

  it("rotating keeps the current secret as the previous one and re-signs owed rows", async () => {
    await owed("msg_1");
    await owed("msg_2", { secret: undefined, secretRef: { namespace: "n", name: "s", key: "k" } });
    const w = await store.webhooks.rotateSecret("hook", S2, at(86_400_000));
    expect(w?.secret).to.equal(S2);
    expect(w?.previousSecret).to.deep.equal({ secret: S1, expiresAt: at(86_400_000) });
    const rows = await store.deliveries.due(at(5000), 10, IDLE);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get("msg_1")).to.deep.include({
      secret: S2,
      previousSecret: { secret: S1, expiresAt: at(86_400_000) },
    });
    // Its secret is read from the Secret at each attempt: left alone.
    expect(byId.get("msg_2")?.secret).to.equal(undefined);
    expect(byId.get("msg_2")?.previousSecret).to.equal(undefined);

    // A third secret drops the oldest: at most two.
    const third = await store.webhooks.rotateSecret("hook", S3, at(90_000_000));
    expect(third?.previousSecret).to.deep.equal({ secret: S2, expiresAt: at(90_000_000) });
    // No overlap: the previous one is dropped at once.
    const now = await store.webhooks.rotateSecret("hook", S1, undefined);
    expect(now?.secret).to.equal(S1);
    expect(now?.previousSecret).to.equal(undefined);
    const row = (await store.deliveries.due(at(5000), 10, IDLE)).find((r) => r.id === "msg_1");
    expect(row?.secret).to.equal(S1);
    expect(row?.previousSecret).to.equal(undefined);
    expect(await store.webhooks.rotateSecret("nope", S2, undefined)).to.equal(undefined);
  });

  it("a webhook without a secret gets one, and no previous one", async () => {
    await store.webhooks.insert(webhook("plain"));
    const w = await store.webhooks.rotateSecret("plain", S2, at(1000));
    expect(w?.secret).to.equal(S2);
    expect(w?.previousSecret).to.equal(undefined);
  });
});
