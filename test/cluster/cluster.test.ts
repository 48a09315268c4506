import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { request } from "node:https";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { createJob, jobFinished, jobManifest } from "../support/jobs.js";
import type { TestCluster } from "./TestCluster.js";
import { waitFor } from "./wait.js";

describe("test cluster @cluster", function () {
  this.timeout(20 * 60_000); // the first use may build the binaries
  let cluster: TestCluster;
  let core: k8s.CoreV1Api;
  let batch: k8s.BatchV1Api;

  before(async () => {
    cluster = await sharedCluster();
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
  });

  it("runs a Job to Complete through the Job controller and kwok", async function () {
    this.timeout(60_000);
    const namespace = await createTestNamespace(cluster, "complete");
    await createJob(cluster, namespace, "ok");
    const condition = await jobFinished(cluster, namespace, "ok");
    expect(condition.type).to.equal("Complete");
    const done = await batch.readNamespacedJob({ name: "ok", namespace });
    expect(done.status?.succeeded).to.equal(1);
    const pods = await core.listNamespacedPod({ namespace, labelSelector: "job-name=ok" });
    expect(pods.items.map((p) => p.status?.phase)).to.deep.equal(["Succeeded"]);
    expect(pods.items[0]?.spec?.nodeName).to.equal("kwok-node-0");
  });

  it("fails a Job whose pods carry the failure annotation", async function () {
    this.timeout(60_000);
    const namespace = await createTestNamespace(cluster, "failed");
    await createJob(cluster, namespace, "boom", { fail: true });
    const condition = await jobFinished(cluster, namespace, "boom");
    expect(condition.type).to.equal("Failed");
    expect(condition.reason).to.equal("BackoffLimitExceeded");
    const pods = await core.listNamespacedPod({ namespace, labelSelector: "job-name=boom" });
    expect(pods.items.map((p) => p.status?.phase)).to.deep.equal(["Failed"]);
    const exit = pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
    expect(exit).to.equal(1);
  });

  it("keeps a Job's pod Running for run-ms, a bare number of milliseconds (or a Go duration), then finishes it", async function () {
    this.timeout(60_000);
    const namespace = await createTestNamespace(cluster, "run-ms");
    const bare = jobManifest("bare", { runMs: 3000 });
    const go = jobManifest("go");
    go.spec!.template.metadata!.annotations!["test.jobhooks.dev/run-ms"] = "3s";
    await Promise.all([bare, go].map((body) => batch.createNamespacedJob({ namespace, body })));
    const phase = async (job: string): Promise<string | undefined> => {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
      return pods.items[0]?.status?.phase;
    };
    for (const job of ["bare", "go"]) {
      // Polled often enough to see Running however briefly kwok keeps it so.
      const first = await waitFor(
        `the ${job} pod to start`,
        async () => {
          const p = await phase(job);
          return p === undefined || p === "Pending" ? undefined : p;
        },
        { intervalMs: 50 },
      );
      expect(first, job).to.equal("Running");
    }
    const running = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const job of ["bare", "go"]) {
      expect(await phase(job), `${job}: phase 1.5 s after Running`).to.equal("Running");
      const status = (await batch.readNamespacedJob({ name: job, namespace })).status;
      expect(status?.conditions ?? [], job).to.deep.equal([]);
    }
    for (const job of ["bare", "go"]) {
      expect((await jobFinished(cluster, namespace, job)).type).to.equal("Complete");
      const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
      const state = pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated;
      // Whole seconds on the wire: 3000 ms is at least 2 s apart.
      const ranMs = Number(state?.finishedAt) - Number(state?.startedAt);
      expect(ranMs, `${job}: finishedAt - startedAt`).to.be.at.least(2000).and.below(10_000);
    }
    expect(Date.now() - running, "ms from Running to Complete").to.be.at.least(2000);
  });

  it("issues pod-bound tokens that TokenReview resolves to the pod, for their audience only", async function () {
    this.timeout(60_000);
    const namespace = await createTestNamespace(cluster, "tokens");
    await core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: "worker" } },
    });
    const pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "worker-0" },
        spec: {
          serviceAccountName: "worker",
          containers: [{ name: "work", image: "busybox", command: ["sleep", "3600"] }],
        },
      },
    });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      name: "worker",
      namespace,
      body: {
        spec: {
          audiences: ["jobhooks"],
          expirationSeconds: 600,
          boundObjectRef: {
            apiVersion: "v1",
            kind: "Pod",
            name: "worker-0",
            uid: pod.metadata?.uid,
          },
        },
      },
    });
    const token = tokenRequest.status?.token;
    expect(token).to.be.a("string").and.not.be.empty;

    const authn = cluster.kubeConfig.makeApiClient(k8s.AuthenticationV1Api);
    const review = async (audience: string): Promise<k8s.V1TokenReviewStatus | undefined> =>
      (await authn.createTokenReview({ body: { spec: { token: token!, audiences: [audience] } } }))
        .status;

    const ok = await review("jobhooks");
    expect(ok?.authenticated).to.equal(true);
    expect(ok?.audiences).to.deep.equal(["jobhooks"]);
    expect(ok?.user?.username).to.equal(`system:serviceaccount:${namespace}:worker`);
    expect(ok?.user?.extra?.["authentication.kubernetes.io/pod-name"]).to.deep.equal(["worker-0"]);
    expect(ok?.user?.extra?.["authentication.kubernetes.io/pod-uid"]).to.deep.equal([
      pod.metadata?.uid,
    ]);

    const other = await review("someone-else");
    expect(other?.authenticated).to.not.equal(true);
    expect(other?.error).to.be.a("string").and.not.be.empty;
  });

  it("refuses requests without valid credentials", async () => {
    const ca = cluster.kubeConfig.getCurrentCluster()?.caData;
    const get = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(
          `${cluster.server}/api/v1/namespaces/default/secrets`,
          { ca: Buffer.from(ca ?? "", "base64"), headers },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end();
      });
    // Anonymous requests are authenticated as system:anonymous, which RBAC grants nothing here.
    expect(await get({})).to.equal(403);
    // A token nobody issued is not authenticated at all.
    expect(await get({ authorization: "Bearer not-a-real-token" })).to.equal(401);
  });
});
