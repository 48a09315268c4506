import { expect } from "chai";
import { JobWatch } from "../controlplane/jobwatch/JobWatch.js";
import { KubeApi } from "../controlplane/kube/KubeApi.js";
import { accessOfKubeConfig } from "../controlplane/kube/KubeAccess.js";
import { waitFor } from "./cluster/wait.js";
import { createTestNamespace } from "./support/cluster.js";
import {
  FAST_BACKOFF,
  WITHIN,
  job,
  jobWatchSuite,
  log,
  Recorder,
  start,
} from "./support/jobWatchSuite.js";
import { startTcpRelay } from "./support/tcpRelay.js";

// Connections broken for real, by a TCP relay between JobWatch and the apiserver.
describe("job watch across broken connections @cluster", function () {
  this.timeout(60_000);
  const suite = jobWatchSuite();
  const { watchJobs, createJob, deleteJob } = suite;

  it("keeps watching when its connection breaks, resuming where it was", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-cut");
    const relay = await startTcpRelay(suite.cluster, suite.kubeConfig);
    try {
      const keptUid = await createJob(
        namespace,
        job("kept", { "test.jobhooks.dev/run-ms": "60000" }),
      );
      const restarts: string[] = [];
      const rec = new Recorder();
      const onRestart = (reason: string): number => restarts.push(reason);
      const watch = watchJobs(
        { namespaces: [namespace], handler: rec, onRestart },
        relay.kubeConfig,
      );
      await watch.whenSynced();
      await watch.handled();

      relay.refuse(true);
      relay.cut();
      await waitFor("a failed reconnect", () => (restarts.length >= 2 ? true : undefined), WITHIN);
      const newUid = await createJob(namespace, job("new"));
      await deleteJob(namespace, "kept");
      relay.refuse(false);

      await waitFor("the new Job to finish", () => watch.get(newUid)?.outcome, WITHIN);
      await waitFor("the deleted Job's remove", () => rec.removed(keptUid) || undefined, WITHIN);
      // It resumed from its resourceVersion: the changes came as events, not from a relist.
      expect(rec.syncs()).to.have.length(1);
      expect(restarts[0]).to.be.a("string").and.not.be.empty;
    } finally {
      await relay.close();
    }
  });

  it("is current only while watching; told the apiserver answers, it retries before its backoff ends", async () => {
    const relay = await startTcpRelay(suite.cluster, suite.kubeConfig);
    try {
      const changes: boolean[] = [];
      // Waits that double from 100–200 ms: after a few refusals the next try is seconds away.
      const watch = watchJobs(
        { handler: new Recorder(), backoff: { baseMs: 200, maxMs: 60_000 } },
        relay.kubeConfig,
      );
      watch.onCurrentChange((current) => changes.push(current));
      await watch.whenSynced();
      await watch.handled();
      await waitFor("a watch open after the list", () => (watch.current ? true : undefined));
      expect(watch.readiness()).to.equal(true);
      expect(watch.failing).to.equal(false);

      relay.refuse(true);
      relay.cut();
      await waitFor("the watch to stop being current", () => (watch.current ? undefined : true));
      const longWait = await waitFor(
        "a backoff of 3 s or more",
        () => {
          const why = watch.readiness();
          const next = /next try in ([\d.]+) s$/.exec(String(why));
          return next && Number(next[1]) >= 3 ? String(why) : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 20 },
      );
      expect(longWait).to.match(/^the watch of Jobs in all namespaces is restarting after: /);
      // A leader whose watch fails stops saying it is alive; it still answers from its cache.
      expect([watch.failing, watch.answering]).to.deep.equal([true, true]);

      // The apiserver is reachable again, but the watch waits out its backoff: not current.
      relay.refuse(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(watch.current).to.equal(false);
      expect(watch.readiness()).to.match(/is restarting after: .*next try in/);

      const told = Date.now();
      watch.apiserverAnswered();
      await waitFor("the watch to be current again", () => (watch.current ? true : undefined), {
        timeoutMs: 2000,
        intervalMs: 10,
      });
      expect(Date.now() - told).to.be.below(1500);
      expect(watch.readiness()).to.equal(true);
      expect(watch.failing).to.equal(false);
      expect(changes).to.deep.equal([true, false, true]);
    } finally {
      await relay.close();
    }
  });

  it("rejects whenSynced when stopped before the first list completed", async () => {
    const relay = await startTcpRelay(suite.cluster, suite.kubeConfig);
    relay.refuse(true);
    try {
      const watch = new JobWatch(new KubeApi(accessOfKubeConfig(relay.kubeConfig)), {
        handler: new Recorder(),
        log,
        backoff: FAST_BACKOFF,
      });
      const r = start(watch);
      const synced = watch.whenSynced();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await r.stop()).to.be.below(1000);
      const err = await synced.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(Error);
      expect(watch.synced).to.equal(false);
    } finally {
      await relay.close();
    }
  });
});
