import { expect } from "chai";
import { JobWatch } from "../controlplane/jobwatch/JobWatch.js";
import type { JobSummary } from "../controlplane/jobwatch/jobSummary.js";
import { KubeApi } from "../controlplane/kube/KubeApi.js";
import { accessOfKubeConfig } from "../controlplane/kube/KubeAccess.js";
import { SqliteStore } from "../controlplane/store/sqlite/SqliteStore.js";
import { WatcherStatus } from "../controlplane/watchers/model.js";
import { WatcherEngine } from "../controlplane/watchers/WatcherEngine.js";
import { createTestNamespace } from "./support/cluster.js";
import { job, jobWatchSuite, log } from "./support/jobWatchSuite.js";
import { job as summary, spec, webhook } from "./support/watcherFixtures.js";

// With replicas, one replica's cache of Jobs may lag behind another's: the other, whose watch is
// ahead, bound a watcher (made through its API) to a Job this one has not seen yet, or led when
// the Job's last event came and this one, leading now, hears no more events for it. Where the cache's word is not enough, the apiserver's is
// asked.
describe("a replica whose cache of Jobs lags behind @cluster", function () {
  this.timeout(60_000);
  const suite = jobWatchSuite();
  // A watch that has not listed yet: its cache lags behind the store, as a replica's may.
  const laggingWatch = (): JobWatch =>
    new JobWatch(new KubeApi(accessOfKubeConfig(suite.kubeConfig)), {
      log,
      handler: {
        upsert: () => Promise.resolve(),
        remove: () => Promise.resolve(),
        synced: () => Promise.resolve(),
      },
    });

  it("after a list, ends only the watchers whose Job the apiserver no longer has under that uid", async () => {
    const namespace = await createTestNamespace(suite.cluster, "gone");
    const watch = laggingWatch();
    const store = SqliteStore.open({ kind: "sqlite", path: ":memory:" });
    try {
      await store.webhooks.insert(webhook("hook"));
      const engine = new WatcherEngine({
        store,
        jobs: watch,
        log,
        defaultDeliveryTimeoutMs: 60_000,
        jobWaitMs: 60_000,
      });
      const uids: Record<string, string> = {
        live: await suite.createJob(
          namespace,
          job("live", { "test.jobhooks.dev/run-ms": "60000" }),
        ),
        gone: await suite.createJob(namespace, job("gone")),
        again: await suite.createJob(namespace, job("again")),
      };
      await suite.deleteJob(namespace, "gone");
      await suite.deleteJob(namespace, "again");
      await suite.createJob(namespace, job("again", { "test.jobhooks.dev/run-ms": "60000" }));

      const ids: Record<string, string> = {};
      for (const name of Object.keys(uids)) {
        ids[name] = (await engine.createWatcher(spec({ namespace, jobName: name }))).watcher.id;
        // Bound as another replica would, from its own watch.
        const seen: JobSummary = summary({ namespace, name, uid: uids[name] });
        await engine.upsert(seen);
      }
      await engine.synced(new Map());

      const status = async (name: string): Promise<[WatcherStatus, string]> => {
        const w = await engine.getWatcher(ids[name] as string);
        return [w.status, w.reason];
      };
      expect(await status("live"), "a live Job").to.deep.equal([WatcherStatus.PENDING, ""]);
      expect(await status("gone"), "a deleted Job").to.deep.equal([
        WatcherStatus.FAILED,
        "JobDeleted",
      ]);
      expect(await status("again"), "a Job whose name now has another uid").to.deep.equal([
        WatcherStatus.FAILED,
        "JobDeleted",
      ]);
    } finally {
      await store.close();
    }
  });

  it("binds a watcher whose wait ran out to its Job if the apiserver has it, and ends the others JobNotFound", async () => {
    const namespace = await createTestNamespace(suite.cluster, "late");
    const store = SqliteStore.open({ kind: "sqlite", path: ":memory:" });
    try {
      await store.webhooks.insert(webhook("hook"));
      const engine = new WatcherEngine({
        store,
        jobs: laggingWatch(),
        log,
        defaultDeliveryTimeoutMs: 60_000,
        jobWaitMs: 200,
      });
      const uid = await suite.createJob(
        namespace,
        job("running", { "test.jobhooks.dev/run-ms": "60000" }),
      );
      const running = (await engine.createWatcher(spec({ namespace, jobName: "running" }))).watcher;
      const never = (await engine.createWatcher(spec({ namespace, jobName: "never" }))).watcher;
      expect([running.jobUid, never.jobUid]).to.deep.equal(["", ""]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await engine.expire();
      expect(await engine.getWatcher(running.id)).to.include({
        jobUid: uid,
        status: WatcherStatus.PENDING,
      });
      expect(await engine.getWatcher(never.id)).to.include({
        status: WatcherStatus.FAILED,
        reason: "JobNotFound",
      });
    } finally {
      await store.close();
    }
  });
});
