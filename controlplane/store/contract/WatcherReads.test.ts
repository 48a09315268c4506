import { expect } from "chai";
import { changes, IDLE, processing } from "../../../test/support/storeContract.js";
import { describeStores } from "../../../test/support/storeFixture.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import { CANCELLED } from "../../watchers/decideEnding.js";
import { TriggerStatus, WatcherStatus } from "../../watchers/model.js";
import type { Store } from "../Store.js";

describeStores("WatcherRepo: attempts and reads", (open) => {
  let store: Store;
  let ids: () => string;
  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook"));
    ids = counter("w");
  });
  const processing1 = (): Promise<string> => processing(store, ids);

  describe("recordAttempt", () => {
    const base = { deliveryId: "msg_1", triggerId: "w2", watcherId: "w1", at: at(7000) };
    const record = (
      status: TriggerStatus,
    ): { status: TriggerStatus; attempts: number; lastError: string; calledAt: Date } => ({
      status,
      attempts: 1,
      lastError: status === TriggerStatus.CALLED ? "" : "HTTP 503",
      calledAt: at(6500),
    });

    it("a retry keeps the row, due later, and counts the attempt on the trigger", async () => {
      await processing1();
      const retried = await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.NOT_CALLED),
        retryAt: at(9000),
      });
      expect(retried.recorded).to.equal(true);
      expect(await store.deliveries.due(at(8999), 10, IDLE)).to.deep.equal([]);
      expect((await store.deliveries.due(at(9000), 10, IDLE))[0]?.attempts).to.equal(1);
      expect((await store.watchers.get("w1"))?.triggers[0]).to.include({
        status: TriggerStatus.NOT_CALLED,
        attempts: 1,
        lastError: "HTTP 503",
      });
    });

    it("a retry is due at its time, however long the claim it was handed out with", async () => {
      await processing1();
      const claimed = { ...IDLE, claimUntil: at(60_000) };
      expect(await store.deliveries.due(at(5000), 10, claimed)).to.have.length(1);
      await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.NOT_CALLED),
        retryAt: at(9000),
      });
      expect(await store.deliveries.nextDue(IDLE)).to.deep.equal(at(9000));
      expect(await store.deliveries.due(at(9000), 10, claimed)).to.have.length(1);
    });

    it("a final result removes the row and settles the watcher as told, with its label", async () => {
      await processing1();
      const recorded = await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.CALLED),
        watcherStatus: WatcherStatus.COMPLETED,
        label: { uid: "uid-1", namespace: "ns", name: "job" },
      });
      expect(recorded.recorded).to.equal(true);
      expect(await store.deliveries.count()).to.equal(0);
      const w = await store.watchers.get("w1");
      expect(w).to.include({ status: WatcherStatus.COMPLETED });
      expect(w?.updatedAt).to.deep.equal(at(7000));
      expect(w?.triggers[0]?.calledAt).to.deep.equal(at(6500));
      expect(
        (await store.labels.due(at(7000), 10, new Date(0))).map((t) => t.jobUid),
      ).to.deep.equal(["uid-1"]);
    });

    it("writes nothing when the row is gone (its watcher ended meanwhile)", async () => {
      const id = await processing1();
      await store.watchers.apply(changes({ changes: [{ kind: "end", id, ending: CANCELLED }] }));
      const recorded = await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.CALLED),
        watcherStatus: WatcherStatus.COMPLETED,
      });
      expect(recorded.recorded).to.equal(false);
      expect((await store.watchers.get(id))?.triggers[0]?.status).to.equal(TriggerStatus.CANCELLED);
    });
  });

  describe("reads", () => {
    it("finds the open watchers of a Job: bound to it, or unbound and naming it", async () => {
      await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-1" }));
      await store.watchers.create(inserted(spec(), ids));
      await store.watchers.create(inserted(spec({ jobName: "other" }), ids));
      await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-2" }));
      const found = (await store.watchers.openForJob("ns", "job", "uid-1")).map((w) => w.id);
      expect(found).to.deep.equal(["w1", "w3"]);
    });

    it("finds what expired, and when to look next", async () => {
      await store.watchers.create(
        inserted(spec({ timeoutSeconds: 10 }), ids, { now: at(0), jobUid: "uid-1" }),
      );
      await store.watchers.create(inserted(spec(), ids, { bindBy: at(4000) }));
      expect(await store.watchers.nextExpiry()).to.deep.equal(at(4000));
      const early = await store.watchers.expired(at(3999));
      expect(early.timedOut.length + early.notFound.length).to.equal(0);
      const later = await store.watchers.expired(at(10_000));
      expect(later.timedOut.map((w) => w.id)).to.deep.equal(["w1"]);
      expect(later.notFound.map((w) => w.id)).to.deep.equal(["w3"]);
      // Bound in time: no longer waiting for its Job.
      await store.watchers.apply(
        changes({ changes: [{ kind: "bind", id: "w3", jobUid: "uid-3" }] }),
      );
      expect((await store.watchers.expired(at(10_000))).notFound).to.deep.equal([]);
      expect(await store.watchers.nextExpiry()).to.deep.equal(at(10_000));
    });

    it("CronJob watchers: by CronJob (namespace '' matches all), their children, one per Job", async () => {
      const all = (
        await store.watchers.create(
          inserted(spec({ namespace: "", jobName: "", cronJobName: "nightly" }), ids),
        )
      ).watcher;
      await store.watchers.create(
        inserted(spec({ namespace: "other", jobName: "", cronJobName: "nightly" }), ids),
      );
      expect(
        (await store.watchers.pendingFamilies("ns", "nightly")).map((w) => w.id),
      ).to.deep.equal([all.id]);
      const child = inserted(spec({ jobName: "nightly-1" }), ids, { jobUid: "uid-1" });
      child.watcher.parentId = all.id;
      await store.watchers.apply(changes({ spawn: [child] }));
      expect(await store.watchers.parentsWithChild([all.id, "w3"], "uid-1")).to.deep.equal(
        new Set([all.id]),
      );
      expect((await store.watchers.children(all.id)).map((w) => w.id)).to.deep.equal([
        child.watcher.id,
      ]);
      // A second watcher of the family for the same Job (another replica's): stale, nothing
      // written.
      const again = { ...child, watcher: { ...child.watcher, id: "again", triggers: [] } };
      expect(await store.watchers.apply(changes({ spawn: [again] }))).to.equal(false);
      expect(await store.watchers.get("again")).to.equal(undefined);
      expect(await store.watchers.boundPending()).to.deep.equal([
        { id: child.watcher.id, jobUid: "uid-1", namespace: "ns" },
      ]);
    });

    it("scans by filter in (created_at, id) order from a cursor", async () => {
      for (let i = 0; i < 5; i++) {
        await store.watchers.create(
          inserted(spec({ jobName: i % 2 ? "odd" : "even" }), ids, { now: at(i) }),
        );
      }
      const even = [...(await store.watchers.list({ jobName: "even" }, 100))].map((w) => w.id);
      expect(even).to.deep.equal(["w1", "w5", "w9"]);
      const after = { createdAt: at(2).getTime(), id: "w5" };
      expect(
        [...(await store.watchers.list({ jobName: "even" }, 100, after))].map((w) => w.id),
      ).to.deep.equal(["w9"]);
      expect([
        ...(await store.watchers.list({ status: WatcherStatus.COMPLETED }, 100)),
      ]).to.deep.equal([]);
    });
  });
});
