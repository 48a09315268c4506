import { expect } from "chai";
import { rejects } from "../../../test/support/rejects.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import { CANCELLED } from "../../watchers/decideEnding.js";
import { Outcome, TriggerStatus, WatcherStatus, type Delivery } from "../../watchers/model.js";
import {
  IdempotencyConflictError,
  UnknownWebhookError,
  type WatcherChanges,
} from "../WatcherRepo.js";
import { SqliteStore } from "./SqliteStore.js";

const IDLE = {
  ids: new Set<string>(),
  perDestination: new Map<string, number>(),
  destinationCap: 9,
  claimUntil: new Date(0),
};

function changes(over: Partial<WatcherChanges>): WatcherChanges {
  return { spawn: [], changes: [], labels: [], at: at(5000), ...over };
}

function delivery(id: string, triggerId: string, watcherId: string): Delivery {
  return {
    id,
    triggerId,
    watcherId,
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

describe("SqliteWatcherRepo", () => {
  let store: SqliteStore;
  let ids: () => string;
  beforeEach(async () => {
    store = SqliteStore.open({ kind: "sqlite", path: ":memory:" });
    await store.webhooks.insert(webhook("hook"));
    ids = counter("w");
  });
  afterEach(() => store.close());

  // A watcher bound to uid-1 that was told to notify: PROCESSING, with one delivery "msg_1".
  async function processing(): Promise<string> {
    const { watcher } = await store.watchers.create(inserted(spec(), ids, { jobUid: "uid-1" }));
    const triggerId = watcher.triggers[0]?.id ?? "";
    const d = delivery("msg_1", triggerId, watcher.id);
    const notify = {
      kind: "notify" as const,
      id: watcher.id,
      outcome: Outcome.SUCCEEDED,
      status: WatcherStatus.PROCESSING,
      deliveries: [d],
    };
    expect(await store.watchers.apply(changes({ changes: [notify] }))).to.equal(true);
    return watcher.id;
  }

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
  });

  describe("apply", () => {
    it("notifies: status, reason, outcome and the outbox rows in one go", async () => {
      const id = await processing();
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
      const id = await processing();
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
      const id = await processing();
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
      await processing();
      const retried = await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.NOT_CALLED),
        retryAt: at(9000),
      });
      expect(retried).to.equal(true);
      expect(await store.deliveries.due(at(8999), 10, IDLE)).to.deep.equal([]);
      expect((await store.deliveries.due(at(9000), 10, IDLE))[0]?.attempts).to.equal(1);
      expect((await store.watchers.get("w1"))?.triggers[0]).to.include({
        status: TriggerStatus.NOT_CALLED,
        attempts: 1,
        lastError: "HTTP 503",
      });
    });

    it("a final result removes the row and settles the watcher as told, with its label", async () => {
      await processing();
      const recorded = await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.CALLED),
        watcherStatus: WatcherStatus.COMPLETED,
        label: { uid: "uid-1", namespace: "ns", name: "job" },
      });
      expect(recorded).to.equal(true);
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
      const id = await processing();
      await store.watchers.apply(changes({ changes: [{ kind: "end", id, ending: CANCELLED }] }));
      const recorded = await store.watchers.recordAttempt({
        ...base,
        record: record(TriggerStatus.CALLED),
        watcherStatus: WatcherStatus.COMPLETED,
      });
      expect(recorded).to.equal(false);
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
