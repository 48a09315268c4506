import { expect } from "chai";
import { pino } from "pino";
import type { JobEvent } from "../jobevents/deliveryEvent.js";
import type { JobSummary } from "../jobwatch/jobSummary.js";
import type { Store } from "../store/Store.js";
import { Outcome, type Webhook, type WebhookSource } from "../watchers/model.js";
import { mirroredId } from "../webhooks/webhookObject.js";
import { describeStores } from "../../test/support/storeFixture.js";
import { finished, job, T0 } from "../../test/support/watcherFixtures.js";
import { AnnotatedJobs, annotatedKey } from "./AnnotatedJobs.js";

const log = pino({ level: "silent" });

function mirrored(source: WebhookSource, namespaces?: string[]): Webhook {
  return {
    id: mirroredId(source),
    url: `http://127.0.0.1:9/${source.name}`,
    requestBody: undefined,
    description: "",
    secret: undefined,
    createdAt: T0,
    source,
    ...(namespaces && { options: { namespaces } }),
  };
}

describeStores("AnnotatedJobs: watchers from a Job's annotations", (open) => {
  let store: Store;
  let warnings: JobEvent[];
  let seen: string[];
  let cronJobs: Map<string, Record<string, string>>;
  let jobs: AnnotatedJobs;

  beforeEach(async () => {
    store = await open();
    warnings = [];
    seen = [];
    cronJobs = new Map();
    jobs = new AnnotatedJobs({
      next: {
        upsert: (j) => Promise.resolve(void seen.push(`upsert ${j.name}`)),
        remove: (j) => Promise.resolve(void seen.push(`remove ${j.name}`)),
        synced: () => Promise.resolve(),
      },
      store,
      cronJob: (ns, name) => cronJobs.get(`${ns}/${name}`),
      warn: (e) => warnings.push(e),
      log,
      now: () => T0,
    });
    await store.webhooks.put(mirrored({ kind: "Webhook", namespace: "ns", name: "build" }));
    await store.webhooks.put(mirrored({ kind: "ClusterWebhook", namespace: "", name: "ops" }));
    await store.webhooks.put(
      mirrored({ kind: "ClusterWebhook", namespace: "", name: "private" }, ["other"]),
    );
  });

  const watchersOf = async (j: JobSummary): Promise<string[][]> =>
    (await store.watchers.openForJob(j.namespace, j.name, j.uid)).map((w) =>
      w.triggers.map((t) => t.webhookId),
    );

  it("makes one watcher per Job, bound to it, however often the Job is seen", async () => {
    const annotations = {
      "jobhooks.dev/webhooks": "build",
      "jobhooks.dev/cluster-webhooks": "ops",
      "jobhooks.dev/notify-on": "succeeded,failed",
    };
    const j = job({ annotations });
    await jobs.upsert(j);
    await jobs.upsert(j);
    const [w, ...more] = await store.watchers.openForJob("ns", "job", j.uid);
    expect(more).to.deep.equal([]);
    expect(w?.jobUid).to.equal(j.uid);
    expect(w?.notifyOn).to.deep.equal([Outcome.SUCCEEDED, Outcome.FAILED]);
    expect(w?.triggers.map((t) => t.webhookId)).to.deep.equal([
      mirroredId({ kind: "Webhook", namespace: "ns", name: "build" }),
      mirroredId({ kind: "ClusterWebhook", namespace: "", name: "ops" }),
    ]);
    expect(seen).to.deep.equal(["upsert job", "upsert job"]);

    // Another process (a restart, a new leader) makes none either.
    const again = new AnnotatedJobs({
      next: {
        upsert: () => Promise.resolve(),
        remove: () => Promise.resolve(),
        synced: () => Promise.resolve(),
      },
      store,
      cronJob: () => undefined,
      warn: (e) => warnings.push(e),
      log,
    });
    await again.upsert(finished("SUCCEEDED", { annotations }));
    expect(await store.watchers.list({ namespace: "ns" }, 10)).to.have.length(1);
    expect((await store.watchers.list({ namespace: "ns" }, 10))[0]?.id).to.equal(w?.id);
    expect(warnings).to.deep.equal([]);
    expect(annotatedKey(j.uid)).to.equal(`jobhooks.dev/job:${j.uid}`);
  });

  it("uses the CronJob's annotations for its Jobs that have none of their own", async () => {
    cronJobs.set("ns/nightly", { "jobhooks.dev/webhooks": "build" });
    const run = job({ uid: "run-1", name: "nightly-1", cronJobName: "nightly" });
    await jobs.upsert(run);
    expect(await watchersOf(run)).to.have.length(1);
    const plain = job({ uid: "plain", name: "plain", cronJobName: "other" });
    await jobs.upsert(plain);
    expect(await watchersOf(plain)).to.deep.equal([]);
  });

  it("leaves alone a Job without annotations, and one labelled webhooks-called", async () => {
    await jobs.upsert(job());
    const told = job({
      uid: "told",
      annotations: { "jobhooks.dev/webhooks": "build" },
      labels: { "app.k8s.job.webhooks/webhooks-called": "true" },
    });
    await jobs.upsert(told);
    expect(await store.watchers.list({}, 10)).to.deep.equal([]);
  });

  it("warns once of a missing webhook; waits for the Job's end to make the watcher with the rest", async () => {
    const annotations = { "jobhooks.dev/webhooks": "build, later" };
    const running = job({ annotations });
    await jobs.upsert(running);
    await jobs.upsert(running);
    expect(await watchersOf(running)).to.deep.equal([]);
    expect(warnings.map((w) => [w.type, w.reason, w.job.name])).to.deep.equal([
      ["Warning", "WebhookNotFound", "job"],
    ]);
    expect(warnings[0]?.note).to.match(/^Webhook ns\/later does not exist/);

    await store.webhooks.put(mirrored({ kind: "Webhook", namespace: "ns", name: "later" }));
    await jobs.upsert(finished("SUCCEEDED", { annotations }));
    expect((await watchersOf(running))[0]).to.have.length(2);
    expect(warnings).to.have.length(1);
  });

  it("warns of a ClusterWebhook the Job's namespace may not use, and watches with the rest", async () => {
    const j = job({ annotations: { "jobhooks.dev/cluster-webhooks": "private,ops" } });
    await jobs.upsert(j);
    expect(warnings.map((w) => w.reason)).to.deep.equal(["WebhookForbidden"]);
    expect(warnings[0]?.note).to.match(
      /ClusterWebhook private does not allow Jobs of namespace ns/,
    );
    expect(await watchersOf(j)).to.deep.equal([
      [mirroredId({ kind: "ClusterWebhook", namespace: "", name: "ops" })],
    ]);
  });

  it("makes no watcher when nothing named is usable, and says so at the end", async () => {
    const j = finished("FAILED", { annotations: { "jobhooks.dev/webhooks": "nope" } });
    await jobs.upsert(j);
    expect(await watchersOf(j)).to.deep.equal([]);
    expect(warnings.map((w) => w.reason)).to.deep.equal(["WebhookNotFound"]);
  });
});
