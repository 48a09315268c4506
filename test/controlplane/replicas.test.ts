import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { WatcherStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import { WEBHOOKS_CALLED_LABEL } from "../../controlplane/labeller/JobLabeller.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { createJob } from "../support/jobs.js";
import { deleteWebhookObjects, kubectlApply } from "../support/apply.js";
import { mirroredId } from "../../controlplane/webhooks/webhookObject.js";
import { Receiver } from "../support/receiver.js";
import { Replicas, restTraffic } from "../support/replicas.js";
import { testStoreEngines } from "../support/storeEngines.js";
import { isFinal } from "../support/watchers.js";
import { webhookTo } from "../support/watchers.js";

const JOBS = 300;
// Every fifth Job names a Webhook object in its annotations instead of having a watcher made
// through the API: the leader makes its watcher, once, whichever replica leads.
const annotated = (i: number): boolean => i % 5 === 0;

describe("controlplane: three replicas on one PostgreSQL @cluster @postgres", function () {
  this.timeout(10 * 60_000);
  let cluster: TestCluster;
  let receiver: Receiver | undefined;
  let replicas: Replicas | undefined;

  before(async function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    receiver = await Receiver.start();
  });

  after(async () => {
    await replicas?.stop();
    await receiver?.stop();
    if (testStoreEngines().includes("postgres")) await deleteWebhookObjects(cluster);
  });

  it(`delivers every one of ${JOBS} Jobs (a fifth of them annotated, one watcher each) and labels each while the leader is killed three times; REST answers nothing but 2xx and 503`, async () => {
    const ns = await createTestNamespace(cluster, "replicas");
    const path = `/${ns}/hook`;
    // A short attempt limit keeps the claims of a killed replica short (limit + 5 s).
    replicas = await Replicas.start(cluster, 3, {
      role: "all",
      args: ["--attempt-timeout=2s", "--retry-base=200ms"],
    });
    const r = replicas;
    const rx = receiver as Receiver;
    const webhookId = await webhookTo(r.any(), rx.url + path);
    await kubectlApply(cluster, [
      {
        apiVersion: "jobhooks.dev/v1alpha1",
        kind: "Webhook",
        metadata: { name: "hook", namespace: ns },
        spec: { url: rx.url + path },
      },
    ]);
    const objectId = mirroredId({ kind: "Webhook", namespace: ns, name: "hook" });
    await waitFor("the Webhook object mirrored", async () =>
      (await r
        .any()
        .webhooks.getWebhook({ id: objectId })
        .catch(() => undefined))
        ? true
        : undefined,
    );
    const names = Array.from({ length: JOBS }, (_, i) => `job-${i}`);
    const watcherIds: string[] = [];
    for (const [i, jobName] of names.entries()) {
      if (annotated(i)) continue;
      const via = r.live[i % r.live.length] ?? r.any();
      const w = await via.watchers.createWatcher({
        namespace: ns,
        jobName,
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
      watcherIds.push(w.id);
    }
    const traffic = restTraffic(() => r.live.map((p) => p.restUrl), ns);
    // The Jobs finish over about 12 s; the leader is killed three times meanwhile, 3 s apart,
    // and started again 1 s after each kill (then the youngest, it follows).
    const creating = Promise.all(
      names.map((name, i) =>
        createJob(cluster, ns, name, {
          runMs: Math.round((i * 12_000) / JOBS),
          ...(annotated(i) && { annotations: { "jobhooks.dev/webhooks": "hook" } }),
        }),
      ),
    );
    const failovers: number[] = [];
    for (let k = 0; k < 3; k++) {
      await new Promise((res) => setTimeout(res, 3000));
      const leader = await r.leader();
      const killedAt = Date.now();
      await r.kill(leader);
      const next = r.leader().then(() => failovers.push(Date.now() - killedAt));
      await new Promise((res) => setTimeout(res, 1000));
      await r.restart(leader);
      await next;
    }
    await creating;

    const watchers = await waitFor(
      `all ${JOBS} watchers final`,
      async () => {
        const all = await r.watchersOf(ns);
        return all.length >= JOBS && all.every(isFinal) ? all : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await traffic.stop();
    expect(watchers, "one watcher per Job").to.have.length(JOBS);
    expect(watchers.filter((w) => w.status !== WatcherStatus.COMPLETED)).to.deep.equal([]);
    const called = new Set(
      rx
        .on(path)
        .map((q) => (JSON.parse(q.body) as { data: { watcher: { id: string } } }).data.watcher.id),
    );
    const annotatedWatchers = watchers.filter((w) => !watcherIds.includes(w.id));
    expect(annotatedWatchers.map((w) => w.jobName).sort()).to.deep.equal(
      names.filter((_, i) => annotated(i)).sort(),
    );
    expect([...called].sort()).to.deep.equal(watchers.map((w) => w.id).sort());
    const duplicates = rx.on(path).length - called.size;

    const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    const labelled = await waitFor(
      "every Job labelled",
      async () => {
        const jobs = await batch.listNamespacedJob({ namespace: ns });
        const done = jobs.items.filter(
          (j) => j.metadata?.labels?.[WEBHOOKS_CALLED_LABEL] === "true",
        );
        return done.length === JOBS ? done.length : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(labelled).to.equal(JOBS);

    const bad = [...traffic.statuses].filter(([status]) => status >= 500 && status !== 503);
    expect(bad, "5xx other than 503").to.deep.equal([]);
    const answered = [...traffic.statuses.values()].reduce((a, b) => a + b, 0);
    const ok = [...traffic.statuses]
      .filter(([s]) => s >= 200 && s < 300)
      .reduce((a, [, n]) => a + n, 0);
    expect(answered).to.be.greaterThan(100);
    expect(ok, "2xx answers").to.equal(answered - (traffic.statuses.get(503) ?? 0));
    console.log(
      `      ${JOBS} Jobs, 3 kills of the leader, another leading ${failovers.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s after each: ${duplicates} delivered twice; REST ${JSON.stringify(Object.fromEntries(traffic.statuses))} (${traffic.refused} refused, retried on another replica)`,
    );
  });

  it("hands a dead replica's claimed delivery to another once its claim runs out (--attempt-timeout + 5 s)", async () => {
    const ns = await createTestNamespace(cluster, "failover");
    const path = `/${ns}/slow`;
    const rx = receiver as Receiver;
    // The first attempt hangs (its replica dies holding it); the second is answered.
    rx.script(path, ["hang", { status: 200 }]);
    await replicas?.stop();
    // One replica first, so that it is the one that claims the delivery; it dies while its
    // attempt hangs, and the others start after.
    replicas = await Replicas.start(cluster, 1, { args: ["--attempt-timeout=3s"] });
    const r = replicas;
    const webhookId = await webhookTo(r.any(), rx.url + path);
    const w = await r.any().watchers.createWatcher({
      namespace: ns,
      jobName: "slow",
      triggers: [{ webhookId, timeoutSeconds: 0 }],
    });
    await createJob(cluster, ns, "slow");
    const [first] = await rx.waitFor(path, 1, 30_000);
    const killedAt = Date.now();
    await r.kill(0);
    await r.restart(1);
    await r.restart(2);
    const [, second] = await rx.waitFor(path, 2, 30_000);
    const failoverMs = (second?.at ?? 0) - killedAt;
    const claimMs = (second?.at ?? 0) - (first?.at ?? 0);
    const done = await waitFor("the watcher final", async () => {
      const got = await r.any().watchers.getWatcher({ id: w.id });
      return isFinal(got) ? got : undefined;
    });
    expect(done.status).to.equal(WatcherStatus.COMPLETED);
    // The claim: the attempt's limit (3 s) and 5 s more, counted from the claim.
    expect(claimMs).to.be.within(7500, 11_000);
    console.log(
      `      failover: the delivery was attempted again ${(failoverMs / 1000).toFixed(1)} s after its replica died (${(claimMs / 1000).toFixed(1)} s after the first attempt)`,
    );
  });
});
