import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { JobWatch } from "../controlplane/jobwatch/JobWatch.js";
import { KubeApi } from "../controlplane/kube/KubeApi.js";
import { accessOfKubeConfig } from "../controlplane/kube/KubeAccess.js";
import { JobOutcome } from "../controlplane/jobwatch/jobSummary.js";
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
  type Call,
} from "./support/jobWatchSuite.js";

function uidsOf(calls: Call[], kind: "upsert" | "remove"): string[] {
  return calls.flatMap((c) => (c.kind === kind ? [c.job.uid] : []));
}

describe("job watch @cluster", function () {
  this.timeout(60_000);
  const suite = jobWatchSuite();
  const { running, watchJobs, createJob, deleteJob } = suite;

  it("reports a Job created after start through to its SUCCEEDED outcome", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-ok");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    await watch.handled();
    const uid = await createJob(namespace, job("ok"));

    const done = await waitFor(
      "the SUCCEEDED upsert",
      () => rec.upserts(uid).find((s) => s.outcome === JobOutcome.SUCCEEDED),
      WITHIN,
    );
    expect(rec.upserts(uid)[0]?.outcome).to.equal(undefined);
    expect(done).to.include({ namespace, name: "ok", succeeded: 1, active: 0 });
    expect(done.reason).to.equal("CompletionsReached");
    expect(done.finishedAt).to.be.instanceOf(Date);
    expect(watch.get(uid)?.outcome).to.equal(JobOutcome.SUCCEEDED);
    expect(watch.findByName(namespace, "ok")?.uid).to.equal(uid);
  });

  it("hands on a known Job again only when its outcome changes, though its cache follows every change", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-quiet");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    const uid = await createJob(namespace, job("quiet", { "test.jobhooks.dev/run-ms": "4000" }));
    await waitFor("the Job's first upsert", () => rec.upserts(uid)[0], WITHIN);
    await suite.batch.patchNamespacedJob(
      { namespace, name: "quiet", body: { metadata: { labels: { seen: "yes" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await waitFor("the label in the cache", () => watch.get(uid)?.labels.seen, WITHIN);
    expect(rec.upserts(uid).map((j) => j.outcome)).to.deep.equal([undefined]);

    await waitFor("the SUCCEEDED upsert", () => rec.upserts(uid)[1], WITHIN);
    expect(rec.upserts(uid).map((j) => [j.outcome, j.labels.seen])).to.deep.equal([
      [undefined, undefined],
      [JobOutcome.SUCCEEDED, "yes"],
    ]);
  });

  it("reports a failing Job as FAILED", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-fail");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    await watch.handled();
    const uid = await createJob(namespace, job("boom", { "test.jobhooks.dev/outcome": "fail" }));

    const done = await waitFor("the FAILED upsert", () => rec.upserts(uid).at(-1)?.outcome, WITHIN);
    expect(done).to.equal(JobOutcome.FAILED);
    expect(watch.get(uid)).to.include({ reason: "BackoffLimitExceeded", failed: 1 });
  });

  it("reports a deleted Job with remove", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-del");
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [namespace], handler: rec });
    await watch.whenSynced();
    await watch.handled();
    const uid = await createJob(namespace, job("doomed", { "test.jobhooks.dev/run-ms": "3000" }));
    await waitFor("the Job to be known", () => watch.get(uid), WITHIN);

    await suite.batch.deleteNamespacedJob({
      namespace,
      name: "doomed",
      propagationPolicy: "Background",
    });
    await waitFor("remove", () => rec.removed(uid) || undefined, WITHIN);
    expect(watch.get(uid)).to.equal(undefined);
    expect(watch.findByName(namespace, "doomed")).to.equal(undefined);
    expect(watch.size()).to.equal(0);
  });

  it("lists Jobs of all namespaces, page by page, before it says it is synced", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-list");
    const uids = await Promise.all(["a", "b", "c"].map((n) => createJob(namespace, job(n))));
    const rec = new Recorder();
    const watch = watchJobs({ handler: rec, pageSize: 2 });
    expect(watch.synced).to.equal(false);

    await watch.whenSynced();

    await watch.handled();
    expect(watch.synced).to.equal(true);
    expect(watch.findByName(namespace, "b")?.uid).to.equal(uids[1]);
    const [first, ...more] = rec.syncs();
    expect(more).to.have.length(0);
    expect([...first!.keys()]).to.include.members(uids);
    expect(watch.size()).to.equal(first!.size);
    const syncedAt = rec.calls.findIndex((c) => c.kind === "synced");
    expect(uidsOf(rec.calls.slice(0, syncedAt), "upsert")).to.include.members(uids);
  });

  it("watches only the namespaces it is given", async () => {
    const [a, b, c] = await Promise.all(
      ["jw-a", "jw-b", "jw-c"].map((p) => createTestNamespace(suite.cluster, p)),
    );
    await createJob(b!, job("before"));
    const rec = new Recorder();
    const watch = watchJobs({ namespaces: [a!, c!], handler: rec });
    await watch.whenSynced();
    await watch.handled();
    expect(rec.syncs()).to.have.length(1);
    await createJob(b!, job("after"));
    const inA = await createJob(a!, job("mine"));
    const inC = await createJob(c!, job("mine"));

    for (const uid of [inA, inC]) {
      await waitFor("both SUCCEEDED", () => watch.get(uid)?.outcome, WITHIN);
    }
    const namespaces = new Set(
      rec.calls.flatMap((x) => (x.kind === "synced" ? [] : [x.job.namespace])),
    );
    expect([...namespaces].sort()).to.deep.equal([a, c].sort());
    expect(watch.findByName(b!, "before")).to.equal(undefined);
    expect(watch.size()).to.equal(2);
  });

  it("diffs a relist against what it knew: Jobs gone meanwhile are removed; stopped, it answers nothing by name", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-relist");
    const goneUid = await createJob(
      namespace,
      job("gone", { "test.jobhooks.dev/run-ms": "60000" }),
    );
    const stayUid = await createJob(
      namespace,
      job("stay", { "test.jobhooks.dev/run-ms": "60000" }),
    );
    const rec = new Recorder();
    const watch = new JobWatch(new KubeApi(accessOfKubeConfig(suite.kubeConfig)), {
      namespaces: [namespace],
      handler: rec,
      log,
      backoff: FAST_BACKOFF,
    });
    const first = start(watch);
    await watch.whenSynced();
    await watch.handled();
    expect(watch.size()).to.equal(2);
    expect(watch.answering).to.equal(true);
    await first.stop();
    // Stopped, as on a standby replica: its cache may go stale, so it answers nothing by name,
    // and a resync hands nothing on (the next run lists anyway).
    expect(watch.answering).to.equal(false);
    expect(watch.findByName(namespace, "stay")).to.equal(undefined);
    const calls = rec.calls.length;
    watch.resync();
    await watch.handled();
    expect(rec.calls.length).to.equal(calls);

    // Changes while nobody watches, as across a restart or a 410 Gone.
    await deleteJob(namespace, "gone");
    const newUid = await createJob(namespace, job("new", { "test.jobhooks.dev/run-ms": "60000" }));
    const mark = rec.calls.length;
    running.push(start(watch));
    await waitFor("the relist", () => (rec.syncs().length === 2 ? true : undefined), WITHIN);

    const relist = rec.calls.slice(mark);
    const synced = relist.findIndex((c) => c.kind === "synced");
    const before = relist.slice(0, synced);
    expect(uidsOf(before, "remove")).to.deep.equal([goneUid]);
    expect(uidsOf(before, "upsert")).to.have.members([stayUid, newUid]);
    const jobs = rec.syncs()[1]!;
    expect([...jobs.keys()]).to.have.members([stayUid, newUid]);
    expect(watch.get(goneUid)).to.equal(undefined);
    expect(watch.findByName(namespace, "new")?.uid).to.equal(newUid);
    expect(watch.answering).to.equal(true);
  });

  it("survives a handler that throws", async () => {
    const namespace = await createTestNamespace(suite.cluster, "jw-throw");
    const explode = (): never => {
      throw new Error("handler bug");
    };
    const watch = watchJobs({
      namespaces: [namespace],
      handler: { upsert: explode, remove: explode, synced: explode },
    });
    await watch.whenSynced();
    await watch.handled();
    const uid = await createJob(namespace, job("ok"));
    await waitFor("SUCCEEDED in the cache", () => watch.get(uid)?.outcome, WITHIN);
  });
});
