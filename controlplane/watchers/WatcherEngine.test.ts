import { expect } from "chai";
import { createLogger } from "../../common/logger.js";
import { at, finished, job, spec, webhook } from "../../test/support/watcherFixtures.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { ConflictError, NotFoundError, PreconditionError, ValidationError } from "./errors.js";
import { Outcome, TriggerStatus, WatcherStatus, type Watcher } from "./model.js";
import { WatcherEngine } from "./WatcherEngine.js";

// A Job of the CronJob "nightly", created after the CronJob watchers of these tests.
const nightly1 = { name: "nightly-1", cronJobName: "nightly", createdAt: at(3000) };
const ALL = { limit: 100, maxSize: 1 << 20, sizeOf: (): number => 1 };

describe("WatcherEngine over a :memory: store", () => {
  let store: SqliteStore;
  let jobs: Map<string, JobSummary>;
  let clock: Date;
  let engine: WatcherEngine;
  let seen: { changed: string[]; ended: string[]; queued: number; expiry: Date[] };

  function start(namespaces?: string[]): void {
    engine = new WatcherEngine({
      store,
      jobs: {
        get: (uid) => jobs.get(uid),
        findByName: (ns, name) =>
          [...jobs.values()].find((j) => j.namespace === ns && j.name === name),
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

  function listen(w: Watcher): WatcherStatus[] {
    const statuses: WatcherStatus[] = [];
    engine.events.onChange(w.id, (x) => statuses.push(x.status));
    return statuses;
  }

  beforeEach(() => {
    store = SqliteStore.open({ kind: "sqlite", path: ":memory:" });
    store.webhooks.insert(webhook("hook"));
    jobs = new Map();
    clock = at(2000);
    start();
  });
  afterEach(() => store.close());

  describe("createWatcher", () => {
    it("refuses a bad spec, an unknown webhook and a namespace not watched", () => {
      expect(() => engine.createWatcher(spec({ jobName: "", cronJobName: "" }))).to.throw(
        ValidationError,
      );
      expect(() =>
        engine.createWatcher(spec({ triggers: [{ webhookId: "nope", timeoutSeconds: 0 }] })),
      ).to.throw(NotFoundError, /no webhook nope/);
      start(["team"]);
      expect(() => engine.createWatcher(spec())).to.throw(ValidationError);
    });

    it("answers a repeated key with the first watcher, a different request with a conflict", () => {
      const first = engine.createWatcher(spec(), "key-1");
      expect(first.created).to.equal(true);
      expect(engine.createWatcher(spec(), "key-1")).to.deep.equal({
        watcher: first.watcher,
        created: false,
      });
      expect(() => engine.createWatcher(spec({ timeoutSeconds: 5 }), "key-1")).to.throw(
        ConflictError,
      );
    });

    it("tells the timeout loop of the earliest deadline: the timeout or the wait for the Job", () => {
      engine.createWatcher(spec({ timeoutSeconds: 10 }));
      engine.createWatcher(spec({ timeoutSeconds: 60 }));
      engine.createWatcher(spec({ jobName: "", cronJobName: "nightly" }));
      expect(seen.expiry).to.deep.equal([at(12_000), at(32_000)]);
    });

    it("binds a Job that already finished and fires at once", () => {
      jobs.set("uid-1", finished("SUCCEEDED"));
      const { watcher } = engine.createWatcher(spec());
      expect(watcher).to.include({ status: WatcherStatus.PROCESSING, jobUid: "uid-1" });
      expect(seen.queued).to.equal(1);
      expect(store.deliveries.count()).to.equal(1);
    });
  });

  describe("Job events", () => {
    it("binds on the first sight of the Job, notifies when it finishes, in order", () => {
      const { watcher } = engine.createWatcher(spec());
      const statuses = listen(watcher);
      engine.upsert(job());
      expect(engine.getWatcher(watcher.id).jobUid).to.equal("uid-1");
      engine.upsert(finished("SUCCEEDED"));
      engine.upsert(finished("SUCCEEDED"));
      expect(statuses).to.deep.equal([WatcherStatus.PENDING, WatcherStatus.PROCESSING]);
      expect(seen.queued).to.equal(1);
      expect(store.deliveries.count()).to.equal(1);
    });

    it("completes a watcher with no triggers and queues its Job's label", () => {
      engine.createWatcher(spec({ triggers: [] }));
      engine.upsert(finished("SUCCEEDED"));
      expect(store.labels.due(clock, 10).map((t) => t.jobUid)).to.deep.equal(["uid-1"]);
    });

    it("ends the watchers of a deleted Job JobDeleted, and labels nothing", () => {
      const { watcher } = engine.createWatcher(spec());
      engine.upsert(job());
      engine.remove(job());
      expect(engine.getWatcher(watcher.id)).to.include({
        status: WatcherStatus.FAILED,
        reason: "JobDeleted",
        jobOutcome: Outcome.DELETED,
      });
      expect(seen.ended).to.deep.equal([watcher.id]);
      expect(store.labels.nextDue()).to.equal(undefined);
    });

    it("after a list, ends watchers whose Job is gone, unless their namespace is not watched", () => {
      const mine = engine.createWatcher(spec()).watcher;
      const theirs = engine.createWatcher(spec({ namespace: "elsewhere" })).watcher;
      engine.upsert(job());
      engine.upsert(job({ uid: "uid-2", namespace: "elsewhere" }));
      start(["ns"]);
      engine.synced(new Map());
      expect(engine.getWatcher(mine.id).reason).to.equal("JobDeleted");
      expect(engine.getWatcher(theirs.id).status).to.equal(WatcherStatus.PENDING);
    });

    it("a CronJob watcher gets one watcher per Job, however often the Job is seen", () => {
      const family = engine.createWatcher(spec({ jobName: "", cronJobName: "nightly" })).watcher;
      const older = { name: "nightly-0", cronJobName: "nightly", uid: "uid-0" };
      engine.upsert(finished("SUCCEEDED", { ...older, createdAt: at(1000) }));
      const run = finished("SUCCEEDED", { ...nightly1 });
      engine.upsert(job({ ...nightly1 }));
      engine.upsert(run);
      engine.upsert(run);
      expect([...store.watchers.scan({ jobName: "nightly-0" })]).to.deep.equal([]);
      const children = [...store.watchers.scan({ jobName: "nightly-1" })];
      expect(children.map((c) => [c.parentId, c.status])).to.deep.equal([
        [family.id, WatcherStatus.PROCESSING],
      ]);
      expect(engine.getWatcher(family.id).status).to.equal(WatcherStatus.PENDING);
    });
  });

  describe("timeouts and cancel", () => {
    it("ends watchers at their time, TIMEOUT or JobNotFound, and says when to look again", () => {
      const late = engine.createWatcher(spec({ timeoutSeconds: 10 })).watcher;
      engine.upsert(job());
      const lost = engine.createWatcher(spec({ jobName: "never" })).watcher;
      expect(engine.expire()).to.deep.equal(at(12_000));
      clock = at(12_000);
      expect(engine.expire()).to.deep.equal(at(32_000));
      expect(engine.getWatcher(late.id)).to.include({ status: WatcherStatus.TIMEOUT });
      expect(engine.getWatcher(late.id).triggers[0]?.status).to.equal(TriggerStatus.TIMEOUT);
      expect(store.labels.due(clock, 10).map((t) => t.jobUid)).to.deep.equal(["uid-1"]);
      clock = at(32_000);
      expect(engine.expire()).to.equal(undefined);
      expect(engine.getWatcher(lost.id)).to.include({
        status: WatcherStatus.FAILED,
        reason: "JobNotFound",
        message: "no Job of this name appeared within 30 s",
      });
      expect(seen.ended).to.deep.equal([late.id, lost.id]);
    });

    it("cancels a CronJob watcher with its children, once", () => {
      const family = engine.createWatcher(spec({ jobName: "", cronJobName: "nightly" })).watcher;
      engine.upsert(job({ ...nightly1 }));
      const cancelled = engine.cancelWatcher(family.id);
      expect(cancelled.status).to.equal(WatcherStatus.CANCELLED);
      const child = [...store.watchers.scan({ jobName: "nightly-1" })][0];
      expect(child?.status).to.equal(WatcherStatus.CANCELLED);
      expect(seen.ended).to.deep.equal([child?.id, family.id]);
      expect(() => engine.cancelWatcher(family.id)).to.throw(PreconditionError, /already ended/);
      expect(() => engine.cancelWatcher("nope")).to.throw(NotFoundError);
    });
  });

  it("lists watchers by filter, a page at a time", () => {
    for (let i = 0; i < 3; i++) {
      clock = at(2000 + i);
      engine.createWatcher(spec({ jobName: `job-${i}` }));
    }
    const first = engine.listWatchers({}, { ...ALL, limit: 2 }, "");
    expect(first.watchers).to.have.length(2);
    const rest = engine.listWatchers({}, { ...ALL, limit: 2 }, first.nextPageToken);
    expect(rest.watchers.map((w) => w.jobName)).to.deep.equal(["job-2"]);
    expect(rest.nextPageToken).to.equal("");
    expect(
      engine.listWatchers({ jobName: "job-1" }, ALL, "").watchers.map((w) => w.jobName),
    ).to.deep.equal(["job-1"]);
  });
});
