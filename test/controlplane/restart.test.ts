import * as k8s from "@kubernetes/client-node";
import Database from "better-sqlite3";
import { expect } from "chai";
import { WatcherStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import {
  startControlplane,
  storePathOf,
  type ControlplaneProcess,
} from "../support/controlplane.js";
import { createJob, jobRunning } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { finalWatcher, watcherWhen, webhookTo } from "../support/watchers.js";

function outboxRows(storePath: string): { id: string; watcher_id: string }[] {
  const db = new Database(storePath, { readonly: true });
  try {
    return db.prepare(`SELECT id, watcher_id FROM deliveries`).all() as {
      id: string;
      watcher_id: string;
    }[];
  } finally {
    db.close();
  }
}

describe("controlplane: crashes and restarts @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let receiver: Receiver;
  let cp: ControlplaneProcess | undefined;

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
  });

  afterEach(async () => {
    await cp?.stop();
    cp = undefined;
  });

  after(async () => {
    await receiver.stop();
  });

  it("delivers, after kill -9 and restart, a webhook whose outbox row was written but not yet sent", async function () {
    this.timeout(60_000);
    const ns = await createTestNamespace(cluster, "crash");
    // One delivery at a time, and the first one hangs: the second waits in the outbox.
    cp = await startControlplane(cluster, {
      args: ["--max-concurrent-deliveries=1", "--attempt-timeout=60s"],
    });
    const hang = `/${ns}/hang`;
    const later = `/${ns}/later`;
    receiver.script(hang, ["hang"]);
    const first = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "first",
      triggers: [{ webhookId: await webhookTo(cp, receiver.url + hang), timeoutSeconds: 0 }],
    });
    const second = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "second",
      triggers: [{ webhookId: await webhookTo(cp, receiver.url + later), timeoutSeconds: 0 }],
    });
    await createJob(cluster, ns, "first");
    await receiver.waitFor(hang, 1);
    await createJob(cluster, ns, "second");
    await watcherWhen(cp, second.id, (w) => w.status === WatcherStatus.PROCESSING);

    const storePath = storePathOf(cp);
    const rows = outboxRows(storePath);
    expect(rows.map((r) => r.watcher_id)).to.include(second.id);
    expect(receiver.on(later)).to.have.length(0);
    await cp.kill();

    receiver.script(hang, [{ status: 200 }]);
    cp = await startControlplane(cluster, { storePath });
    const [delivered] = await receiver.waitFor(later, 1);
    expect(delivered!.headers["webhook-id"]).to.equal(
      rows.find((r) => r.watcher_id === second.id)?.id,
    );
    expect((await finalWatcher(cp, second.id)).status).to.equal(WatcherStatus.COMPLETED);
    // The hung delivery is sent again after the restart, with the webhook-id it had.
    expect((await finalWatcher(cp, first.id)).status).to.equal(WatcherStatus.COMPLETED);
    const hangIds = new Set(receiver.on(hang).map((r) => r.headers["webhook-id"]));
    expect(hangIds.size).to.equal(1);
    expect(outboxRows(storePath)).to.have.length(0);
  });

  it("on SIGTERM hands a delivery in flight back to the outbox, exits within --shutdown-grace, and sends it after restart", async function () {
    this.timeout(60_000);
    const ns = await createTestNamespace(cluster, "sigterm");
    cp = await startControlplane(cluster, {
      args: ["--shutdown-grace=1s", "--attempt-timeout=60s"],
    });
    const slow = `/${ns}/slow`;
    receiver.script(slow, ["hang"]);
    const w = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "busy",
      triggers: [{ webhookId: await webhookTo(cp, receiver.url + slow), timeoutSeconds: 0 }],
    });
    await createJob(cluster, ns, "busy");
    await receiver.waitFor(slow, 1);
    const storePath = storePathOf(cp);
    const stopping = Date.now();
    expect(await cp.stop()).to.equal(0);
    expect(Date.now() - stopping).to.be.below(5000);
    expect(cp.logs.some((l) => l.msg === "waiting for deliveries in flight")).to.equal(true);
    expect(outboxRows(storePath).map((r) => r.watcher_id)).to.deep.equal([w.id]);

    receiver.script(slow, [{ status: 200 }]);
    cp = await startControlplane(cluster, { storePath });
    expect((await finalWatcher(cp, w.id)).status).to.equal(WatcherStatus.COMPLETED);
    expect(new Set(receiver.on(slow).map((r) => r.headers["webhook-id"])).size).to.equal(1);
  });

  it("ends, when it starts again, a watcher whose timeout passed and one whose Job was deleted while it was down", async function () {
    this.timeout(60_000);
    const ns = await createTestNamespace(cluster, "downtime");
    cp = await startControlplane(cluster);
    const webhookId = await webhookTo(cp, `${receiver.url}/${ns}/never`);
    await createJob(cluster, ns, "long", { runMs: 120_000 });
    await createJob(cluster, ns, "removed", { runMs: 120_000 });
    const timed = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "long",
      timeoutSeconds: 2,
      triggers: [{ webhookId, timeoutSeconds: 0 }],
    });
    const orphan = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "removed",
      triggers: [{ webhookId, timeoutSeconds: 0 }],
    });
    await watcherWhen(cp, orphan.id, (w) => w.jobUid !== "");
    expect(await jobRunning(cluster, ns, "removed"), "the Job runs when it is deleted").to.equal(
      true,
    );
    const storePath = storePathOf(cp);
    await cp.stop();

    await cluster.kubeConfig
      .makeApiClient(k8s.BatchV1Api)
      .deleteNamespacedJob({ name: "removed", namespace: ns, propagationPolicy: "Background" });
    await new Promise((r) => setTimeout(r, 2500));
    cp = await startControlplane(cluster, { storePath });
    const timedOut = await finalWatcher(cp, timed.id, 5000);
    expect(timedOut.status).to.equal(WatcherStatus.TIMEOUT);
    expect(await jobRunning(cluster, ns, "long"), "its Job still runs").to.equal(true);
    const gone = await finalWatcher(cp, orphan.id, 10_000);
    expect(gone.status).to.equal(WatcherStatus.FAILED);
    expect(gone.reason).to.equal("JobDeleted");
  });

  it("loses no delivery when 300 Jobs finish while the controlplane is killed and restarted", async function () {
    this.timeout(180_000);
    const ns = await createTestNamespace(cluster, "storm");
    const path = `/${ns}/storm`;
    cp = await startControlplane(cluster);
    const storePath = storePathOf(cp);
    const webhookId = await webhookTo(cp, receiver.url + path);
    const names = Array.from({ length: 300 }, (_, i) => `storm-${i}`);
    const watcherIds: string[] = [];
    for (const jobName of names) {
      const w = await cp.watchers.createWatcher({
        namespace: ns,
        jobName,
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
      watcherIds.push(w.id);
    }
    // The Jobs finish spread over about 8 s; the controlplane dies once a third of them were
    // delivered, and stays away for 2 s while more finish.
    const creating = Promise.all(
      names.map((name, i) =>
        createJob(cluster, ns, name, { runMs: Math.round((i * 8000) / names.length) }),
      ),
    );
    await receiver.waitFor(path, 100, 60_000);
    const killedAt = Date.now();
    await cp.kill();
    const deliveredBeforeKill = new Set(receiver.on(path).map((r) => r.headers["webhook-id"])).size;
    await new Promise((r) => setTimeout(r, 2000));
    cp = await startControlplane(cluster, { storePath });
    const restartedAt = Date.now();
    await creating;

    const live = cp;
    const statuses = await waitFor(
      "all 300 watchers to end",
      async () => {
        const all = [];
        let pageToken = "";
        do {
          const page = await live.watchers.listWatchers({ namespace: ns, pageToken });
          all.push(...page.watchers);
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        return all.every((w) => w.status === WatcherStatus.COMPLETED) ? all : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(statuses).to.have.length(300);
    const watchersCalled = new Set(
      receiver
        .on(path)
        .map((r) => (JSON.parse(r.body) as { data: { watcher: { id: string } } }).data.watcher.id),
    );
    expect([...watchersCalled].sort()).to.deep.equal([...watcherIds].sort());
    const duplicates = receiver.on(path).length - watchersCalled.size;
    // Some Jobs did finish while it was away (completionTime has whole seconds: it may read up
    // to 1 s early, never late).
    const jobs = await cluster.kubeConfig
      .makeApiClient(k8s.BatchV1Api)
      .listNamespacedJob({ namespace: ns });
    const whileDown = jobs.items.filter((j) => {
      const t = j.status?.completionTime?.getTime() ?? 0;
      return t >= killedAt && t + 1000 <= restartedAt;
    }).length;
    expect(whileDown, "Jobs that completed while the controlplane was down").to.be.greaterThan(0);
    console.log(
      `      300 watchers: ${deliveredBeforeKill} delivered before the kill, ${whileDown} Jobs completed while it was down, ${duplicates} sent twice (at-least-once)`,
    );
  });
});
