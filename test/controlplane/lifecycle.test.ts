import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import {
  JobOutcome,
  TriggerStatus,
  WatcherStatus,
  type JobDoneWatcher,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob, jobFinished, jobRunning, suspendedCronJobOwner } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { finalWatcher, watcherWhen, webhookTo } from "../support/watchers.js";

describe("controlplane: watcher lifecycle @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let receiver: Receiver;
  let batch: k8s.BatchV1Api;
  let ns: string;

  before(async () => {
    cluster = await sharedCluster();
    batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    receiver = await Receiver.start();
    cp = await startControlplane(cluster, {
      args: ["--retry-base=50ms", "--retry-max=200ms", "--job-wait=2s"],
    });
  });

  after(async () => {
    await cp.stop();
    await receiver.stop();
  });

  beforeEach(async function () {
    this.timeout(30_000);
    ns = await createTestNamespace(cluster, "lifecycle");
  });

  async function watch(
    jobName: string,
    paths: string[],
    extra: { notifyOn?: JobOutcome[]; timeoutSeconds?: number; triggerTimeout?: number } = {},
  ): Promise<JobDoneWatcher> {
    const triggers = [];
    for (const path of paths) {
      triggers.push({
        webhookId: await webhookTo(cp, receiver.url + path),
        timeoutSeconds: extra.triggerTimeout ?? 0,
      });
    }
    return cp.watchers.createWatcher({
      namespace: ns,
      jobName,
      triggers,
      notifyOn: extra.notifyOn ?? [],
      timeoutSeconds: extra.timeoutSeconds ?? 0,
    });
  }

  it("starts PENDING with NOT_CALLED triggers, calls the webhook when the Job completes, and labels the Job", async () => {
    const path = `/${ns}/done`;
    await createJob(cluster, ns, "work", { runMs: 1500 });
    const created = await watch("work", [path]);
    expect(created.status).to.equal(WatcherStatus.PENDING);
    expect(created.triggers.map((t) => t.status)).to.deep.equal([TriggerStatus.NOT_CALLED]);
    expect(created.notifyOn).to.deep.equal([JobOutcome.SUCCEEDED]);

    const done = await finalWatcher(cp, created.id);
    expect(done.status).to.equal(WatcherStatus.COMPLETED);
    expect(done.jobOutcome).to.equal(JobOutcome.SUCCEEDED);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.CALLED);
    expect(done.triggers[0]?.calledAt).to.be.instanceOf(Date);
    const [req] = await receiver.waitFor(path, 1);
    const event = JSON.parse(req!.body) as { type: string; data: { job: Record<string, unknown> } };
    expect(event.type).to.equal("job.succeeded");
    expect(event.data.job).to.include({
      namespace: ns,
      name: "work",
      outcome: "SUCCEEDED",
      succeeded: 1,
    });
    expect(event.data.job.uid).to.equal(done.jobUid);
    expect(req!.headers["webhook-id"]).to.match(/^msg_/);
    expect(req!.headers["content-type"]).to.equal("application/json");

    await waitFor("the webhooks-called label", async () => {
      const job = await batch.readNamespacedJob({ name: "work", namespace: ns });
      return job.metadata?.labels?.["app.k8s.job.webhooks/webhooks-called"] === "true"
        ? true
        : undefined;
    });
  });

  it("fires at once for a Job that finished before the watcher was registered", async () => {
    const path = `/${ns}/late`;
    await createJob(cluster, ns, "early");
    await jobFinished(cluster, ns, "early");
    const created = await watch("early", [path]);
    const done = await finalWatcher(cp, created.id);
    expect(done.status).to.equal(WatcherStatus.COMPLETED);
    await receiver.waitFor(path, 1);
  });

  it("sends the webhook's own requestBody verbatim when it has one", async () => {
    const path = `/${ns}/verbatim`;
    const body = '{"text":"job done"}';
    const webhookId = await webhookTo(cp, receiver.url + path, { requestBody: body });
    await createJob(cluster, ns, "plain");
    const created = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "plain",
      triggers: [{ webhookId, timeoutSeconds: 0 }],
    });
    await finalWatcher(cp, created.id);
    const [req] = await receiver.waitFor(path, 1);
    expect(req!.body).to.equal(body);
  });

  it("ends a default watcher of a failed Job FAILED (JobFailed) without calling it; notifyOn FAILED calls it", async () => {
    const quiet = `/${ns}/quiet`;
    const told = `/${ns}/told`;
    await createJob(cluster, ns, "broken", { fail: true, runMs: 1000 });
    const byDefault = await watch("broken", [quiet]);
    const onFailure = await watch("broken", [told], { notifyOn: [JobOutcome.FAILED] });

    const ended = await finalWatcher(cp, byDefault.id);
    expect(ended.status).to.equal(WatcherStatus.FAILED);
    expect(ended.reason).to.equal("JobFailed");
    expect(ended.jobOutcome).to.equal(JobOutcome.FAILED);
    expect(ended.triggers[0]?.status).to.equal(TriggerStatus.CANCELLED);

    const notified = await finalWatcher(cp, onFailure.id);
    expect(notified.status).to.equal(WatcherStatus.COMPLETED);
    const [req] = await receiver.waitFor(told, 1);
    const event = JSON.parse(req!.body) as {
      type: string;
      data: { job: { failedPods: { reason: string; containers: unknown[] }[] } };
    };
    expect(event.type).to.equal("job.failed");
    // Why, in the failed pod's words (the test cluster's kwok stage fails it with exit code 1).
    const [pod, ...more] = event.data.job.failedPods;
    expect(more).to.deep.equal([]);
    expect(pod?.containers).to.deep.equal([
      {
        name: "work",
        exitCode: 1,
        reason: "Error",
        message: "failed on purpose (test.jobhooks.dev/outcome)",
      },
    ]);
    expect(receiver.on(quiet)).to.have.length(0);
  });

  it("ends the watchers of a Job deleted before it finished FAILED (JobDeleted)", async () => {
    await createJob(cluster, ns, "doomed", { runMs: 120_000 });
    const created = await watch("doomed", [`/${ns}/never`]);
    await watcherWhen(cp, created.id, (w) => w.jobUid !== "");
    expect(await jobRunning(cluster, ns, "doomed"), "the Job runs when it is deleted").to.equal(
      true,
    );
    await batch.deleteNamespacedJob({
      name: "doomed",
      namespace: ns,
      propagationPolicy: "Background",
    });
    const ended = await finalWatcher(cp, created.id);
    expect(ended.status).to.equal(WatcherStatus.FAILED);
    expect(ended.reason).to.equal("JobDeleted");
    expect(ended.jobOutcome).to.equal(JobOutcome.DELETED);
    expect(ended.triggers[0]?.status).to.equal(TriggerStatus.CANCELLED);
  });

  it("ends a watcher whose Job never appears FAILED (JobNotFound) after --job-wait", async () => {
    const created = await watch("ghost", [`/${ns}/ghost`]);
    const ended = await finalWatcher(cp, created.id);
    expect(ended.status).to.equal(WatcherStatus.FAILED);
    expect(ended.reason).to.equal("JobNotFound");
  });

  it("ends a watcher TIMEOUT when its timeoutSeconds pass first, triggers TIMEOUT", async () => {
    await createJob(cluster, ns, "slow", { runMs: 120_000 });
    const created = await watch("slow", [`/${ns}/slow`], { timeoutSeconds: 1 });
    const ended = await finalWatcher(cp, created.id);
    expect(ended.status).to.equal(WatcherStatus.TIMEOUT);
    expect(ended.reason).to.equal("WatcherTimeout");
    expect(ended.triggers[0]?.status).to.equal(TriggerStatus.TIMEOUT);
    expect(await jobRunning(cluster, ns, "slow"), "the Job still runs").to.equal(true);
  });

  it("cancels a pending watcher, once", async () => {
    await createJob(cluster, ns, "idle", { runMs: 120_000 });
    const created = await watch("idle", [`/${ns}/idle`]);
    const cancelled = await cp.watchers.cancelWatcher({ id: created.id });
    expect(cancelled.status).to.equal(WatcherStatus.CANCELLED);
    expect(cancelled.triggers[0]?.status).to.equal(TriggerStatus.CANCELLED);
    expect(await jobRunning(cluster, ns, "idle"), "the Job still runs").to.equal(true);
    const again = await cp.watchers.cancelWatcher({ id: created.id }).catch((e: unknown) => e);
    expect(String(again)).to.match(/FAILED_PRECONDITION.*already ended CANCELLED/);
  });

  it("is PARTIALLY_COMPLETED when one webhook takes the call and another refuses it", async () => {
    const ok = `/${ns}/ok`;
    const gone = `/${ns}/gone`;
    receiver.script(gone, [{ status: 404 }]);
    await createJob(cluster, ns, "mixed");
    const created = await watch("mixed", [ok, gone]);
    const done = await finalWatcher(cp, created.id);
    expect(done.status).to.equal(WatcherStatus.PARTIALLY_COMPLETED);
    expect(done.triggers.map((t) => t.status)).to.deep.equal([
      TriggerStatus.CALLED,
      TriggerStatus.FAILED,
    ]);
    expect(done.triggers[1]?.lastError).to.contain("404");
  });

  it("gives up on a webhook that never answers 2xx at the trigger's timeoutSeconds: TIMEOUT, watcher FAILED", async () => {
    const down = `/${ns}/down`;
    receiver.script(down, [{ status: 503 }]);
    await createJob(cluster, ns, "unlucky");
    const created = await watch("unlucky", [down], { triggerTimeout: 1 });
    const done = await finalWatcher(cp, created.id);
    expect(done.status).to.equal(WatcherStatus.FAILED);
    expect(done.triggers[0]?.status).to.equal(TriggerStatus.TIMEOUT);
    expect(done.triggers[0]?.attempts).to.be.greaterThan(1);
    expect(done.triggers[0]?.lastError).to.contain("503");
  });

  it("streams PENDING, PROCESSING while retrying, then the final status", async () => {
    const flaky = `/${ns}/flaky`;
    receiver.script(flaky, [{ status: 500 }, { status: 500 }, { status: 200 }]);
    await createJob(cluster, ns, "streamed", { runMs: 1000 });
    const created = await watch("streamed", [flaky]);
    const seen: WatcherStatus[] = [];
    for await (const w of cp.watchers.watchWatcher({ id: created.id })) seen.push(w.status);
    expect(seen[0]).to.equal(WatcherStatus.PENDING);
    expect(seen).to.include(WatcherStatus.PROCESSING);
    expect(seen.at(-1)).to.equal(WatcherStatus.COMPLETED);
  });

  it("fires a CronJob watcher for each Job the CronJob owns from then on", async () => {
    const path = `/${ns}/family`;
    const owner = await suspendedCronJobOwner(cluster, ns, "nightly");
    await createJob(cluster, ns, "nightly-old", { ownerReferences: [owner] });
    await jobFinished(cluster, ns, "nightly-old");
    await new Promise((r) => setTimeout(r, 1100)); // creation times have one-second precision
    const family = await cp.watchers.createWatcher({
      namespace: ns,
      cronJobName: "nightly",
      triggers: [{ webhookId: await webhookTo(cp, receiver.url + path), timeoutSeconds: 0 }],
    });
    await createJob(cluster, ns, "nightly-1", { ownerReferences: [owner] });
    await createJob(cluster, ns, "nightly-2", { ownerReferences: [owner] });
    const calls = await receiver.waitFor(path, 2);
    const names = calls.map(
      (c) => (JSON.parse(c.body) as { data: { job: { name: string } } }).data.job.name,
    );
    expect(names.sort()).to.deep.equal(["nightly-1", "nightly-2"]);
    const children = (await cp.watchers.listWatchers({ namespace: ns })).watchers.filter(
      (w) => w.parentId === family.id,
    );
    expect(children.map((c) => c.jobName).sort()).to.deep.equal(["nightly-1", "nightly-2"]);
    expect((await cp.watchers.getWatcher({ id: family.id })).status).to.equal(
      WatcherStatus.PENDING,
    );
  });
});
