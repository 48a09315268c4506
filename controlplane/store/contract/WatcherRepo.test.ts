import { expect } from "chai";
import { rejects } from "../../../test/support/rejects.js";
import { changes, IDLE, processing } from "../../../test/support/storeContract.js";
import { describeStores } from "../../../test/support/storeFixture.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import { CANCELLED } from "../../watchers/decideEnding.js";
import { Outcome, TriggerStatus, WatcherStatus } from "../../watchers/model.js";
import type { Store } from "../Store.js";
import { IdempotencyConflictError, UnknownWebhookError } from "../WatcherRepo.js";

describeStores("WatcherRepo: create and apply", (open) => {
  let store: Store;
  let ids: () => string;
  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook"));
    ids = counter("w");
  });
  const processing1 = (): Promise<string> => processing(store, ids);

  describe("create", () => {
    it("stores the watcher as given, PENDING with NOT_CALLED triggers", async () => {
      const n = inserted(spec(), ids);
      const { watcher, created } = await store.watchers.create(n);
      expect(created).to.equal(true);
      expect(watcher).to.deep.equal(n.watcher);
      expect(await store.watchers.get("w1")).to.deep.equal(n.watcher);
    });

    it("answers a repeat of the same request with the first watcher", async () => {
      const first = await store.watchers.create(
        inserted(spec(), ids, { idempotencyKey: "k", requestHash: "h" }),
      );
      const again = await store.watchers.create(
        inserted(spec(), ids, { idempotencyKey: "k", requestHash: "h" }),
      );
      expect(again).to.deep.equal({ watcher: first.watcher, created: false });
      expect([...(await store.watchers.list({}, 100))]).to.have.length(1);
    });

    it("refuses the key for a different request; another namespace has its own keys", async () => {
      await store.watchers.create(inserted(spec(), ids, { idempotencyKey: "k", requestHash: "h" }));
      await rejects(
        store.watchers.create(inserted(spec(), ids, { idempotencyKey: "k", requestHash: "x" })),
        IdempotencyConflictError,
        /idempotency key "k" was used for a different request/,
      );
      const other = await store.watchers.create(
        inserted(spec({ namespace: "other" }), ids, { idempotencyKey: "k", requestHash: "x" }),
      );
      expect(other.created).to.equal(true);
    });

    it("refuses triggers naming a webhook that is missing or deleted, writing nothing", async () => {
      await store.webhooks.insert(webhook("gone"));
      expect(await store.webhooks.delete("gone", at(10))).to.deep.equal({ kind: "deleted" });
      const n = inserted(
        spec({
          triggers: [
            { webhookId: "hook", timeoutSeconds: 0 },
            { webhookId: "gone", timeoutSeconds: 0 },
            { webhookId: "never", timeoutSeconds: 0 },
          ],
        }),
        ids,
      );
      const err = await rejects(store.watchers.create(n), UnknownWebhookError);
      expect(err.webhookIds).to.deep.equal(["gone", "never"]);
      expect(await store.watchers.list({}, 10)).to.deep.equal([]);
    });

    it("keeps a bind request with the watcher that asks, once, until it is done", async () => {
      const create = async (jobName: string, over = {}): Promise<string> =>
        (await store.watchers.create(inserted(spec({ jobName }), ids, over))).watcher.id;
      const a = await create("a", { askBind: true });
      await create("b");
      const keyed = { askBind: true, idempotencyKey: "k", requestHash: "h" };
      const c = await create("c", keyed);
      // A repeat of a request answers with its watcher and asks nothing more.
      expect(await create("c", keyed)).to.equal(c);
      expect(await store.watchers.bindRequests(10)).to.deep.equal([
        { watcherId: a, namespace: "ns", jobName: "a" },
        { watcherId: c, namespace: "ns", jobName: "c" },
      ]);
      expect(await store.watchers.bindRequests(1)).to.have.length(1);
      await store.watchers.bindRequestsDone([a, "unknown"]);
      expect(await store.watchers.bindRequests(10)).to.deep.equal([
        { watcherId: c, namespace: "ns", jobName: "c" },
      ]);
    });
  });

  describe("apply", () => {
    it("notifies: status, reason, outcome and the outbox rows in one go", async () => {
      const id = await processing1();
      const w = await store.watchers.get(id);
      expect(w).to.include({
        status: WatcherStatus.PROCESSING,
        reason: "JobFinished",
        jobOutcome: Outcome.SUCCEEDED,
      });
      expect(w?.updatedAt).to.deep.equal(at(5000));
      expect((await store.deliveries.due(at(5000), 10, IDLE)).map((d) => d.id)).to.deep.equal([
        "msg_1",
      ]);
    });

    it("ends a watcher: NOT_CALLED triggers take the ending's status, its rows go", async () => {
      const id = await processing1();
      const applied = await store.watchers.apply(
        changes({ changes: [{ kind: "end", id, ending: CANCELLED }], at: at(6000) }),
      );
      expect(applied).to.equal(true);
      const w = await store.watchers.get(id);
      expect(w).to.include({ status: WatcherStatus.CANCELLED, reason: "Cancelled" });
      expect(w?.triggers[0]?.status).to.equal(TriggerStatus.CANCELLED);
      expect(await store.deliveries.count()).to.equal(0);
    });

    it("queues the labels it is told, once each", async () => {
      const job = { uid: "uid-1", namespace: "ns", name: "job" };
      await store.watchers.apply(changes({ labels: [job] }));
      await store.watchers.apply(changes({ labels: [job], at: at(9000) }));
      expect(await store.labels.due(at(5000), 10, at(65_000))).to.deep.equal([
        { jobUid: "uid-1", namespace: "ns", name: "job", attempts: 0 },
      ]);
      // Handed out: no one else gets it until the claim runs out.
      expect(await store.labels.due(at(6000), 10, at(66_000))).to.deep.equal([]);
      expect(await store.labels.nextDue()).to.deep.equal(at(65_000));
      expect(await store.labels.due(at(65_000), 10, at(125_000))).to.have.length(1);
      await store.labels.done("uid-1");
      expect(await store.labels.nextDue()).to.equal(undefined);
    });

    it("writes nothing of a stale decision: a watcher no longer in the state it was decided for", async () => {
      const id = await processing1();
      await store.watchers.apply(changes({ changes: [{ kind: "end", id, ending: CANCELLED }] }));
      const child = inserted(spec(), ids, { jobUid: "uid-2" });
      const stale = changes({
        spawn: [child],
        changes: [{ kind: "end", id, ending: CANCELLED }],
        labels: [{ uid: "uid-1", namespace: "ns", name: "job" }],
      });
      expect(await store.watchers.apply(stale)).to.equal(false);
      expect(await store.watchers.get(child.watcher.id)).to.equal(undefined);
      expect(await store.labels.nextDue()).to.equal(undefined);
    });

    it("binds only an unbound watcher", async () => {
      const { watcher } = await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-1" }));
      const bind = { kind: "bind" as const, id: watcher.id, jobUid: "uid-2" };
      expect(await store.watchers.apply(changes({ changes: [bind] }))).to.equal(false);
    });
  });
});
