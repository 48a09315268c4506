import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { createChannel, createClient, Metadata, Status } from "nice-grpc";
import {
  PodCounterServiceDefinition,
  type PodCounterServiceClient,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { expiredPodToken } from "../support/expiredToken.js";
import { podLabel, podToken, runningPod } from "../support/pods.js";

const LABEL = "active-jobs";

async function code(p: Promise<unknown>): Promise<Status | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as { code?: Status }).code,
  );
}

describe("controlplane: pod counter @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let ns: string;

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "counter");
  });

  describe("over gRPC, with pod-bound tokens (--auth=tokenreview)", () => {
    let cp: ControlplaneProcess;
    let counter: PodCounterServiceClient;
    let tokenA: string;
    let podA: k8s.V1Pod;

    before(async () => {
      podA = await runningPod(cluster, ns, "worker-a", {
        account: "worker",
        labels: { app: "worker" },
      });
      await runningPod(cluster, ns, "worker-b", { account: "worker", labels: { app: "worker" } });
      tokenA = await podToken(cluster, podA);
      cp = await startControlplane(cluster, {
        role: "all",
        auth: "tokenreview",
        args: ["--label-selector=app=worker"],
      });
      counter = createClient(PodCounterServiceDefinition, createChannel(cp.grpcAddress));
    });

    after(async () => {
      await cp.stop();
    });

    const as = (token: string): { metadata: Metadata } => ({
      metadata: Metadata({ authorization: `Bearer ${token}` }),
    });

    it("counts 200 concurrent increments exactly, answering each its own value, then 200 decrements remove the label", async () => {
      const ups = await Promise.all(
        Array.from({ length: 200 }, () => counter.increment({}, as(tokenA))),
      );
      expect(ups.map((v) => v.value).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      expect(ups[0]).to.include({ namespace: ns, podName: "worker-a" });
      expect(await podLabel(cluster, ns, "worker-a", LABEL)).to.equal("200");
      const metrics = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
      const writes = Number(/jobhooks_pod_counter_writes_total (\d+)/.exec(metrics)?.[1]);
      expect(writes, "writes for 200 increments").to.be.below(100);

      await Promise.all(Array.from({ length: 200 }, () => counter.decrement({}, as(tokenA))));
      expect(await podLabel(cluster, ns, "worker-a", LABEL)).to.equal(undefined);
      expect((await counter.decrement({}, as(tokenA))).value).to.equal(0);
      expect(await podLabel(cluster, ns, "worker-a", LABEL)).to.equal(undefined);
    });

    it("answers a retried request id once", async () => {
      const first = await counter.increment({ requestId: "retry-1" }, as(tokenA));
      const again = await counter.increment({ requestId: "retry-1" }, as(tokenA));
      expect(again.value).to.equal(first.value);
      expect((await counter.getCounter({}, as(tokenA))).value).to.equal(first.value);
      await counter.decrement({}, as(tokenA));
    });

    it("refuses a pod's token for another pod, tokens for another audience, garbage, and a token whose pod is gone", async () => {
      const denied = (await counter
        .increment({ podName: "worker-b" }, as(tokenA))
        .catch((e: unknown) => e)) as { code?: Status; details?: string };
      expect(denied.code).to.equal(Status.PERMISSION_DENIED);
      expect(denied.details).to.contain(`${ns}/worker-a`).and.contain(`${ns}/worker-b`);
      const bearer = { authorization: `Bearer ${tokenA}` };
      const viaGateway = await fetch(`${cp.restUrl}/increment?pod_name=worker-b&namespace=${ns}`, {
        method: "POST",
        headers: bearer,
      });
      expect(viaGateway.status).to.equal(403);
      const own = await fetch(`${cp.restUrl}/increment?pod_name=worker-a`, {
        method: "POST",
        headers: bearer,
      });
      expect(await own.text()).to.equal("1");
      await counter.decrement({}, as(tokenA));
      const otherAudience = await podToken(cluster, podA, "someone-else");
      expect(await code(counter.increment({}, as(otherAudience)))).to.equal(Status.UNAUTHENTICATED);
      expect(await code(counter.increment({}, as("garbage")))).to.equal(Status.UNAUTHENTICATED);
      const account = await cluster.kubeConfig
        .makeApiClient(k8s.CoreV1Api)
        .readNamespacedServiceAccount({ name: "worker", namespace: ns });
      const expired = expiredPodToken(cluster, podA, {
        name: "worker",
        uid: account.metadata!.uid!,
      });
      expect(await code(counter.increment({}, as(expired)))).to.equal(Status.UNAUTHENTICATED);
      // The same token, not yet expired, is accepted: expiry alone made the difference.
      const fresh = expiredPodToken(
        cluster,
        podA,
        { name: "worker", uid: account.metadata!.uid! },
        600,
      );
      expect((await counter.getCounter({}, as(fresh))).podName).to.equal("worker-a");
      expect(await code(counter.increment({}))).to.equal(Status.UNAUTHENTICATED);
      const doomed = await runningPod(cluster, ns, "worker-gone", {
        account: "worker",
        labels: { app: "worker" },
      });
      const stale = await podToken(cluster, doomed);
      await cluster.kubeConfig
        .makeApiClient(k8s.CoreV1Api)
        .deleteNamespacedPod({ name: "worker-gone", namespace: ns, gracePeriodSeconds: 0 });
      expect(await code(counter.increment({}, as(stale)))).to.be.oneOf([
        Status.UNAUTHENTICATED,
        Status.NOT_FOUND,
        Status.PERMISSION_DENIED,
      ]);
    });
  });

  describe("the seed's /increment and /decrement on the gateway (--auth=none)", () => {
    let gw: ControlplaneProcess;

    before(async () => {
      await runningPod(cluster, ns, "tracked", { labels: { app: "worker" } });
      await runningPod(cluster, ns, "untracked");
      gw = await startControlplane(cluster, {
        role: "all",
        args: ["--label-selector=app=worker", `--default-namespace=${ns}`],
      });
    });

    after(async () => {
      await gw.stop();
    });

    it("answers the count as a plain integer, 404 for pods that are missing or outside --label-selector, 400 without pod_name, 405 for GET", async () => {
      const up = await fetch(`${gw.restUrl}/increment?pod_name=tracked`, { method: "POST" });
      expect(up.status).to.equal(200);
      expect(up.headers.get("content-type")).to.match(/^text\/plain/);
      expect(await up.text()).to.equal("1");
      expect(await podLabel(cluster, ns, "tracked", LABEL)).to.equal("1");
      const down = await fetch(`${gw.restUrl}/decrement?pod_name=tracked&namespace=${ns}`, {
        method: "POST",
      });
      expect(await down.text()).to.equal("0");

      const outside = await fetch(`${gw.restUrl}/increment?pod_name=untracked`, { method: "POST" });
      expect(outside.status).to.equal(404);
      expect(((await outside.json()) as { detail: string }).detail).to.contain(
        "not selected by app=worker",
      );
      expect(
        (await fetch(`${gw.restUrl}/increment?pod_name=nobody`, { method: "POST" })).status,
      ).to.equal(404);
      expect((await fetch(`${gw.restUrl}/increment`, { method: "POST" })).status).to.equal(400);
      const wrong = await fetch(`${gw.restUrl}/increment?pod_name=tracked`);
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get("allow")).to.equal("POST");
    });
  });
});
