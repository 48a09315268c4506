import { expect } from "chai";
import { createLogger } from "../../common/pinoLogger.js";
import { describeStores } from "../../test/support/storeFixture.js";
import { finished, job, spec, webhook } from "../../test/support/watcherFixtures.js";
import { waitFor } from "../../test/cluster/wait.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { Store } from "../store/Store.js";
import type { JobLookup } from "./JobLookup.js";
import { WatcherStatus } from "./model.js";
import { RequestedBindings } from "./RequestedBindings.js";
import { WatcherEngine } from "./WatcherEngine.js";

const log = createLogger("silent", "test");

// Two replicas on one store: a standby, whose Job watch does not run, and the leader, whose
// cache has the Jobs. Each cache stands for a JobWatch (test/cacheLag.test.ts has a real one).
describeStores("RequestedBindings: watchers made where the Job cannot be looked up", (open) => {
  let store: Store;
  let leaderCache: Map<string, JobSummary>;
  let leaderAnswers: boolean;
  let standby: WatcherEngine;
  let leader: WatcherEngine;
  let bindings: RequestedBindings;
  let stop: AbortController;
  let running: Promise<void>;

  const lookup = (answering: () => boolean, cache: () => Map<string, JobSummary>): JobLookup => ({
    get answering() {
      return answering();
    },
    findByName: (ns, name) =>
      answering()
        ? [...cache().values()].find((j) => j.namespace === ns && j.name === name)
        : undefined,
    find: () => Promise.reject(new Error("no apiserver here")),
  });
  const engine = (jobs: JobLookup): WatcherEngine =>
    new WatcherEngine({ store, jobs, log, defaultDeliveryTimeoutMs: 60_000, jobWaitMs: 60_000 });

  beforeEach(async () => {
    store = await open();
    await store.webhooks.insert(webhook("hook"));
    leaderCache = new Map();
    leaderAnswers = false;
    standby = engine(
      lookup(
        () => false,
        () => new Map(),
      ),
    );
    const leaderJobs = lookup(
      () => leaderAnswers,
      () => leaderCache,
    );
    leader = engine(leaderJobs);
    bindings = new RequestedBindings(leader, leaderJobs, store, log);
    stop = new AbortController();
    running = bindings.run(stop.signal);
  });

  afterEach(async () => {
    stop.abort();
    await running;
  });

  const status = async (id: string): Promise<[WatcherStatus | undefined, string | undefined]> => {
    const w = await store.watchers.get(id);
    return [w?.status, w?.jobUid];
  };

  it("binds a standby's watcher once the leader's cache answers, and fires it if its Job finished", async () => {
    leaderCache.set("uid-1", finished("SUCCEEDED"));
    leaderCache.set("uid-2", job({ uid: "uid-2", name: "running" }));
    const done = (await standby.createWatcher(spec())).watcher;
    const running = (await standby.createWatcher(spec({ jobName: "running" }))).watcher;
    const later = (await standby.createWatcher(spec({ jobName: "later" }))).watcher;
    expect([done.jobUid, running.jobUid, later.jobUid]).to.deep.equal(["", "", ""]);
    expect(await store.watchers.bindRequests(10)).to.have.length(3);

    // Not listed yet: the requests wait, however often the loop is kicked.
    bindings.kick();
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.watchers.bindRequests(10)).to.have.length(3);

    leaderAnswers = true;
    bindings.kick();
    await waitFor("the requests done", async () =>
      (await store.watchers.bindRequests(10)).length === 0 ? true : undefined,
    );
    expect(await status(done.id)).to.deep.equal([WatcherStatus.PROCESSING, "uid-1"]);
    expect(await status(running.id)).to.deep.equal([WatcherStatus.PENDING, "uid-2"]);
    // No such Job yet: its first event binds it, as any waiting watcher's.
    expect(await status(later.id)).to.deep.equal([WatcherStatus.PENDING, ""]);
    expect(await store.deliveries.count()).to.equal(1);
  });

  it("asks nothing of a watcher made where the cache answers: it binds at once", async () => {
    leaderAnswers = true;
    leaderCache.set("uid-1", finished("SUCCEEDED"));
    const { watcher } = await leader.createWatcher(spec());
    expect(watcher).to.include({ status: WatcherStatus.PROCESSING, jobUid: "uid-1" });
    expect(await store.watchers.bindRequests(10)).to.deep.equal([]);
  });
});
