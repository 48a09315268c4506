import { expect } from "chai";
import { rejects } from "../../test/support/rejects.js";
import { createLogger } from "../../common/pinoLogger.js";
import { at, finished, job, spec, webhook } from "../../test/support/watcherFixtures.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { Store } from "../store/Store.js";
import { describeStores } from "../../test/support/storeFixture.js";
import { ConflictError, NotFoundError, PreconditionError, ValidationError } from "./errors.js";
import { Outcome, TriggerStatus, WatcherStatus, type Watcher } from "./model.js";
import { WatcherEngine } from "./WatcherEngine.js";

// A Job of the CronJob "nightly", created after the CronJob watchers of these tests.
const nightly1 = { name: "nightly-1", cronJobName: "nightly", createdAt: at(3000) };
const ALL = { limit: 100, maxSize: 1 << 20, sizeOf: (): number => 1 };

describeStores("WatcherEngine over a store", (open) => {
  let store: Store;
  let jobs: Map<string, JobSummary>;
  let answering: boolean;
  let clock: Date;
  let engine: WatcherEngine;
  let seen: { changed: string[]; ended: string[]; queued: number; expiry: Date[] };

  function start(namespaces?: string[]): void {
    engine = new WatcherEngine({
      store,
      jobs: {
        get answering() {
          return answering;
        },
        findByName: (ns, name) =>
          answering
            ? [...jobs.values()].find((j) => j.namespace === ns && j.name === name)
            : undefined,
        // The cache is the truth here; test/goneJobs.test.ts asks a real apiserver.
        find: (ns, name) =>
          Promise.resolve([...jobs.values()].find((j) => j.namespace === ns && j.name === name)),
      },
      log: createLogger("silent", "test"),
      defaultDeliveryTimeoutMs: 60_000,
      jobWaitMs: 30_000,
      ...(namespaces && { namespaces }),
      now: () => clock,
    });
    seen = { changed: [], ended: [], queued: 0, expiry: [] };
    engine.events.onEnded((id) => seen.ended.push(id));
    engine.events.onDeliveriesQueued(() => seen.queued++);
    engine.events.onExpiryAdded((d) => seen.expiry.push(d));
  }

  // The watcher's status as read at each change the engine announces, in the order announced:
  // each read starts when its change is announced, before the engine goes on.
  function listen(w: Watcher): () => Promise<(WatcherStatus | undefined)[]> {
    const reads: Promise<WatcherStatus | undefined>[] = [];
    engine.events.onChange(w.id, () => {
      reads.push(store.watchers.get(w.id).then((x) => x?.status));
    });
    return () => Promise.all(reads);
  }

  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook"));
    jobs = new Map();
    answering = true;
    clock = at(2000);
    start();
  });

  describe("createWatcher", () => {
    it("refuses a bad spec, an unknown webhook and a namespace not watched", async () => {
      await rejects(engine.createWatcher(spec({ jobName: "", cronJobName: "" })), ValidationError);
      await rejects(
        engine.createWatcher(spec({ triggers: [{ webhookId: "nope", timeoutSeconds: 0 }] })),
        NotFoundError,
        /no webhook nope/,
      );
      start(["team"]);
      await rejects(engine.createWatcher(spec()), ValidationError);
    });

    it("answers a repeated key with the first watcher, a different request with a conflict", async () => {
      const first = await engine.createWatcher(spec(), "key-1");
      expect(first.created).to.equal(true);
      expect(await engine.createWatcher(spec(), "key-1")).to.deep.equal({
        watcher: first.watcher,
        created: false,
      });
      await rejects(engine.createWatcher(spec({ timeoutSeconds: 5 }), "key-1"), ConflictError);
    });

    it("tells the timeout loop of the earliest deadline: the timeout or the wait for the Job", async () => {
      await engine.createWatcher(spec({ timeoutSeconds: 10 }));
      await engine.createWatcher(spec({ timeoutSeconds: 60 }));
      await engine.createWatcher(spec({ jobName: "", cronJobName: "nightly" }));
      expect(seen.expiry).to.deep.equal([at(12_000), at(32_000)]);
    });

    it("binds a Job that already finished and fires at once", async () => {
      jobs.set("uid-1", finished("SUCCEEDED"));
      const { watcher } = await engine.createWatcher(spec());
      expect(watcher).to.include({ status: WatcherStatus.PROCESSING, jobUid: "uid-1" });
      expect(seen.queued).to.equal(1);
      expect(await store.deliveries.count()).to.equal(1);
    });
  });

  describe("Job events", () => {
    it("binds on the first sight of the Job, notifies when it finishes, in order", async () => {
      const { watcher } = await engine.createWatcher(spec());
      const statuses = listen(watcher);
      await engine.upsert(job());
      expect((await engine.getWatcher(watcher.id)).jobUid).to.equal("uid-1");
      await engine.upsert(finished("SUCCEEDED"));
      await engine.upsert(finished("SUCCEEDED"));
      expect(await statuses()).to.deep.equal([WatcherStatus.PENDING, WatcherStatus.PROCESSING]);
      expect(seen.queued).to.equal(1);
      expect(await store.deliveries.count()).to.equal(1);
    });

    it("completes a watcher with no triggers and queues its Job's label", async () => {
      await engine.createWatcher(spec({ triggers: [] }));
      await engine.upsert(finished("SUCCEEDED"));
      expect((await store.labels.due(clock, 10, new Date(0))).map((t) => t.jobUid)).to.deep.equal([
        "uid-1",
      ]);
    });

    it("ends the watchers of a deleted Job JobDeleted, and labels nothing", async () => {
      const { watcher } = await engine.createWatcher(spec());
      await engine.upsert(job());
      await engine.remove(job());
      expect(await engine.getWatcher(watcher.id)).to.include({
        status: WatcherStatus.FAILED,
        reason: "JobDeleted",
        jobOutcome: Outcome.DELETED,
      });
      expect(seen.ended).to.deep.equal([watcher.id]);
      expect(await store.labels.nextDue()).to.equal(undefined);
    });

    it("after a list, ends watchers whose Job is gone, unless their namespace is not watched", async () => {
      const mine = (await engine.createWatcher(spec())).watcher;
      const theirs = (await engine.createWatcher(spec({ namespace: "elsewhere" }))).watcher;
      await engine.upsert(job());
      await engine.upsert(job({ uid: "uid-2", namespace: "elsewhere" }));
      start(["ns"]);
      await engine.synced(new Map());
      expect((await engine.getWatcher(mine.id)).reason).to.equal("JobDeleted");
      expect((await engine.getWatcher(theirs.id)).status).to.equal(WatcherStatus.PENDING);
    });

    it("a CronJob watcher gets one watcher per Job, however often the Job is seen", async () => {
      const family = (await engine.createWatcher(spec({ jobName: "", cronJobName: "nightly" })))
        .watcher;
      const older = { name: "nightly-0", cronJobName: "nightly", uid: "uid-0" };
      await engine.upsert(finished("SUCCEEDED", { ...older, createdAt: at(1000) }));
      const run = finished("SUCCEEDED", { ...nightly1 });
      await engine.upsert(job({ ...nightly1 }));
      await engine.upsert(run);
      await engine.upsert(run);
      expect([...(await store.watchers.list({ jobName: "nightly-0" }, 100))]).to.deep.equal([]);
      const children = [...(await store.watchers.list({ jobName: "nightly-1" }, 100))];
      expect(children.map((c) => [c.parentId, c.status])).to.deep.equal([
        [family.id, WatcherStatus.PROCESSING],
      ]);
      expect((await engine.getWatcher(family.id)).status).to.equal(WatcherStatus.PENDING);
    });
  });

  describe("timeouts and cancel", () => {
    it("ends watchers at their time, TIMEOUT or JobNotFound, and says when to look again", async () => {
      const late = (await engine.createWatcher(spec({ timeoutSeconds: 10 }))).watcher;
      await engine.upsert(job());
      const lost = (await engine.createWatcher(spec({ jobName: "never" }))).watcher;
      expect(await engine.expire()).to.deep.equal(at(12_000));
      clock = at(12_000);
      expect(await engine.expire()).to.deep.equal(at(32_000));
      expect(await engine.getWatcher(late.id)).to.include({ status: WatcherStatus.TIMEOUT });
      expect((await engine.getWatcher(late.id)).triggers[0]?.status).to.equal(
        TriggerStatus.TIMEOUT,
      );
      expect((await store.labels.due(clock, 10, new Date(0))).map((t) => t.jobUid)).to.deep.equal([
        "uid-1",
      ]);
      clock = at(32_000);
      expect(await engine.expire()).to.equal(undefined);
      expect(await engine.getWatcher(lost.id)).to.include({
        status: WatcherStatus.FAILED,
        reason: "JobNotFound",
        message: "no Job of this name appeared within 30 s",
      });
      expect(seen.ended).to.deep.equal([late.id, lost.id]);
    });

    it("cancels a CronJob watcher with its children, once", async () => {
      const family = (await engine.createWatcher(spec({ jobName: "", cronJobName: "nightly" })))
        .watcher;
      await engine.upsert(job({ ...nightly1 }));
      const cancelled = await engine.cancelWatcher(family.id);
      expect(cancelled.status).to.equal(WatcherStatus.CANCELLED);
      const child = [...(await store.watchers.list({ jobName: "nightly-1" }, 100))][0];
      expect(child?.status).to.equal(WatcherStatus.CANCELLED);
      expect(seen.ended).to.deep.equal([child?.id, family.id]);
      await rejects(engine.cancelWatcher(family.id), PreconditionError, /already ended/);
      await rejects(engine.cancelWatcher("nope"), NotFoundError);
    });
  });

  it("lists watchers by filter, a page at a time", async () => {
    for (let i = 0; i < 3; i++) {
      clock = at(2000 + i);
      await engine.createWatcher(spec({ jobName: `job-${i}` }));
    }
    const first = await engine.listWatchers({}, { ...ALL, limit: 2 }, "");
    expect(first.watchers).to.have.length(2);
    const rest = await engine.listWatchers({}, { ...ALL, limit: 2 }, first.nextPageToken);
    expect(rest.watchers.map((w) => w.jobName)).to.deep.equal(["job-2"]);
    expect(rest.nextPageToken).to.equal("");
    expect(
      (await engine.listWatchers({ jobName: "job-1" }, ALL, "")).watchers.map((w) => w.jobName),
    ).to.deep.equal(["job-1"]);
  });
});
