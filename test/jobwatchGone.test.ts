import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { JobWatch } from "../controlplane/jobwatch/JobWatch.js";
import { KubeApi } from "../controlplane/kube/KubeApi.js";
import { accessOfKubeConfig } from "../controlplane/kube/KubeAccess.js";
import { TestCluster } from "./cluster/TestCluster.js";
import { waitFor } from "./cluster/wait.js";
import { createTestNamespace } from "./support/cluster.js";
import { controlplaneKubeConfig } from "./support/controlplaneAccount.js";
import { createJob } from "./support/jobs.js";
import { FAST_BACKOFF, log, Recorder, start } from "./support/jobWatchSuite.js";
import { startTcpRelay } from "./support/tcpRelay.js";

const WITHIN = { timeoutMs: 20_000 };
const RUNNING = { runMs: 60_000 };

/**
 * Whether a watch of the namespace's Jobs from `resourceVersion`, straight to the apiserver,
 * is refused with 410 Gone: etcd compacted past it. Otherwise the first event says it is not
 * (yet): there are Job events after that version.
 */
function watchIsGone(
  kc: k8s.KubeConfig,
  namespace: string,
  resourceVersion: string,
): Promise<boolean> {
  const gone = (err: unknown): boolean =>
    (err as { statusCode?: unknown } | null)?.statusCode === 410;
  return new Promise((resolve) => {
    let request: AbortController | undefined;
    let settled = false;
    const settle = (result: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.abort();
      resolve(result);
    };
    const timer = setTimeout(() => settle(false), 2_000);
    new k8s.Watch(kc)
      .watch(
        `/apis/batch/v1/namespaces/${namespace}/jobs`,
        { resourceVersion },
        (type, object) => settle(type === "ERROR" && (object as { code?: unknown }).code === 410),
        (err) => settle(gone(err)),
      )
      .then(
        (controller) => {
          request = controller;
          if (settled) controller.abort();
        },
        (err: unknown) => settle(gone(err)),
      );
  });
}

// A real 410 Gone: Job watches go to etcd (no watch cache), which the apiserver compacts every
// 2 s, to the revision it saw at the tick before; a watch cut off for two ticks cannot resume.
describe("job watch resumed from a compacted resourceVersion @cluster", function () {
  this.timeout(60_000);
  let cluster: TestCluster | undefined;

  before(async function () {
    this.timeout(20 * 60_000); // the first use may build the binaries
    cluster = await TestCluster.start({
      apiserverArgs: ["--watch-cache-sizes=jobs.batch#0", "--etcd-compaction-interval=2s"],
    });
  });

  after(async () => {
    await cluster?.stop();
  });

  it("relists after 410 Gone, removing the Jobs deleted meanwhile", async () => {
    const c = cluster!;
    const batch = c.kubeConfig.makeApiClient(k8s.BatchV1Api);
    const core = c.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const namespace = await createTestNamespace(c, "jw-gone");
    const uidOf = (j: k8s.V1Job): string => j.metadata!.uid!;
    const a = uidOf(await createJob(c, namespace, "a", RUNNING));
    const b = uidOf(await createJob(c, namespace, "b", RUNNING));

    // The watch runs as the controlplane's ServiceAccount, as in a cluster.
    const relay = await startTcpRelay(c, await controlplaneKubeConfig(c));
    const restarts: string[] = [];
    const rec = new Recorder();
    const running = start(
      new JobWatch(new KubeApi(accessOfKubeConfig(relay.kubeConfig)), {
        namespaces: [namespace],
        handler: rec,
        log,
        backoff: FAST_BACKOFF,
        onRestart: (reason) => restarts.push(reason),
      }),
    );
    const { watch } = running;
    let stopMs: number;
    try {
      await watch.whenSynced();
      await watch.handled();
      await waitFor(
        "Jobs a and b in the cache",
        () => (watch.get(a) && watch.get(b)) ?? undefined,
        WITHIN,
      );

      relay.refuse(true);
      relay.cut();
      const callsBefore = rec.calls.length;
      const restartsBefore = restarts.length;
      // Every event the watch saw is at or before the revision now; it resumes from one of them.
      const cutAt = (await batch.listNamespacedJob({ namespace })).metadata!.resourceVersion!;

      await batch.deleteNamespacedJob({ namespace, name: "b", propagationPolicy: "Background" });
      await waitFor(
        "Job b to be gone",
        () =>
          batch.readNamespacedJob({ namespace, name: "b" }).then(
            () => undefined,
            () => true,
          ),
        WITHIN,
      );
      const cUid = uidOf(await createJob(c, namespace, "c", RUNNING));
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "churn" }, data: { n: "0" } },
      });
      for (let n = 1; n <= 3; n++) {
        await core.replaceNamespacedConfigMap({
          namespace,
          name: "churn",
          body: { metadata: { name: "churn" }, data: { n: String(n) } },
        });
      }
      // Two compaction ticks past the writes; checked, not guessed.
      await waitFor(
        `etcd compacted past resourceVersion ${cutAt}`,
        async () => ((await watchIsGone(c.kubeConfig, namespace, cutAt)) ? true : undefined),
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      // The cut watch has seen none of it.
      expect(watch.get(b)).to.not.equal(undefined);
      expect(watch.get(cUid)).to.equal(undefined);
      expect(rec.syncs()).to.have.length(1);

      relay.refuse(false);
      await waitFor("the relist's synced", () => (rec.syncs().length >= 2 ? true : undefined), {
        ...WITHIN,
        intervalMs: 50,
      });

      // As an ERROR event (status 200) or as the response's status; the failed reconnects'
      // reasons carry URLs whose timeoutSeconds may well be 410 too.
      const goneReason = restarts
        .slice(restartsBefore)
        .find((r) => /^watch (error 410 |failed: HTTP 410:)/.test(r));
      expect(goneReason, `restart reasons: ${JSON.stringify(restarts)}`).to.match(
        /Expired|Gone|too old/i,
      );
      const after = rec.calls.slice(callsBefore);
      const lastSync = after.findLastIndex((call) => call.kind === "synced");
      const index = (kind: "upsert" | "remove", uid: string): number =>
        after.findIndex((call) => call.kind === kind && call.job.uid === uid);
      expect(index("remove", b)).to.be.within(0, lastSync - 1);
      expect(index("upsert", cUid)).to.be.within(0, lastSync - 1);
      expect(index("upsert", a)).to.be.within(0, lastSync - 1);
      expect(after.filter((call) => call.kind === "remove")).to.have.length(1);
      const synced = rec.syncs().at(-1)!;
      expect([...synced.keys()]).to.have.members([a, cUid]);

      expect(watch.get(a)?.name).to.equal("a");
      expect(watch.get(cUid)?.name).to.equal("c");
      expect(watch.get(b)).to.equal(undefined);
      expect(watch.findByName(namespace, "a")?.uid).to.equal(a);
      expect(watch.findByName(namespace, "c")?.uid).to.equal(cUid);
      expect(watch.findByName(namespace, "b")).to.equal(undefined);
      expect(watch.size()).to.equal(2);
    } finally {
      stopMs = await running.stop();
      await relay.close();
    }
    // Abort ends run promptly.
    expect(stopMs).to.be.below(1000);
  });
});
