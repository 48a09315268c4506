import { expect } from "chai";
import { createChannel, createClient } from "nice-grpc";
import { PodCounterServiceDefinition } from "../../proto/gen/jobhooks/v1/podcounter.js";
import { BUSY_SINCE, LEASES } from "../../controlplane/podcounter/podLife.js";
import { DO_NOT_DISRUPT, SAFE_TO_EVICT } from "../../controlplane/podcounter/hints.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { applyBudgetExample, budgetSees, evict } from "../support/budget.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { metricValue } from "../support/metrics.js";
import { podAnnotations, podLabel, runningPod } from "../support/pods.js";
import { Replicas } from "../support/replicas.js";
import { testStoreEngines } from "../support/storeEngines.js";

const LABEL = "active-jobs";

interface CounterJson {
  value: number;
  leaseId?: string;
  expiresAt?: string;
  released?: number;
}

async function post(url: string): Promise<{ status: number; json: CounterJson }> {
  const res = await fetch(url, { method: "POST", headers: { accept: "application/json" } });
  const text = await res.text();
  return {
    status: res.status,
    json: (text.startsWith("{") ? JSON.parse(text) : {}) as CounterJson,
  };
}

describe("controlplane: leases on the pod counter @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  const start = (ns: string): Promise<ControlplaneProcess> =>
    // Its namespace only: leases other tests left behind are no business of these tests.
    startControlplane(cluster, {
      role: "all",
      args: [`--default-namespace=${ns}`, `--namespaces=${ns}`],
    });

  before(async () => {
    cluster = await sharedCluster();
  });

  afterEach(async () => {
    await cp.stop();
  });

  // A namespace with the example budget and one pod under it, leased for 5 s; when it was leased.
  async function leasedPod(ns: string, pod: string): Promise<number> {
    await applyBudgetExample(cluster, ns);
    await runningPod(cluster, ns, pod);
    const leasedAt = Date.now();
    const { status, json } = await post(`${cp.restUrl}/increment?pod_name=${pod}&ttl=5s`);
    expect(status).to.equal(200);
    expect(json.value).to.equal(1);
    expect(json.leaseId).to.match(/^[A-Za-z0-9_-]{22}$/);
    const ends = Date.parse(json.expiresAt ?? "") - leasedAt;
    expect(ends).to.be.within(4000, 6000);
    expect(await podLabel(cluster, ns, pod, LABEL)).to.equal("1");
    return leasedAt;
  }

  // How long after `since` the pod's label went; never before 4.5 s.
  async function labelGone(ns: string, pod: string, since: number): Promise<number> {
    await waitFor(`the lease on ${pod} to expire`, async () =>
      (await podLabel(cluster, ns, pod, LABEL)) === undefined ? true : undefined,
    );
    return Date.now() - since;
  }

  it("ends a 5 s lease that nobody renews: the label goes after about 5 s, and an eviction is then allowed", async () => {
    const ns = await createTestNamespace(cluster, "lease");
    cp = await start(ns);
    const leasedAt = await leasedPod(ns, "leased");
    await budgetSees(cluster, ns, 1, 1);
    expect(await evict(cluster, ns, "leased")).to.equal(429);
    const after = await labelGone(ns, "leased", leasedAt);
    expect(after, "ms from the increment to the label's removal").to.be.within(4500, 7000);
    const annotations = await podAnnotations(cluster, ns, "leased");
    for (const key of [LABEL, LEASES, BUSY_SINCE, SAFE_TO_EVICT, DO_NOT_DISRUPT]) {
      expect(annotations, key).to.not.have.property(key);
    }
    expect(await evict(cluster, ns, "leased")).to.equal(201);
    expect(await metricValue(cp, "jobhooks_leases_expired_total")).to.equal(1);
  });

  it("ends it as well when the controlplane is killed (-9) and started again meanwhile", async () => {
    const ns = await createTestNamespace(cluster, "lease-restart");
    cp = await start(ns);
    const leasedAt = await leasedPod(ns, "survivor");
    await cp.kill();
    cp = await start(ns); // it finds the lease on the pod, in its first list
    const after = await labelGone(ns, "survivor", leasedAt);
    expect(after, "ms from the increment to the label's removal").to.be.within(4500, 9000);
    // The pod no longer matches the budget's selector: the apiserver lets it go at once.
    expect(await evict(cluster, ns, "survivor")).to.equal(201);
  });

  it("renews a lease and releases it once: a lease no longer held is 404 and takes nothing away", async () => {
    const ns = await createTestNamespace(cluster, "lease-renew");
    cp = await start(ns);
    await runningPod(cluster, ns, "worker");
    const base = cp.restUrl;
    const lease = (await post(`${base}/increment?pod_name=worker&ttl=3`)).json;
    expect(
      await (await fetch(`${base}/increment?pod_name=worker`, { method: "POST" })).text(),
    ).to.equal("2");
    const renewed = await post(`${base}/leases/${lease.leaseId}/renew?pod_name=worker&ttl=1h`);
    expect(renewed.status).to.equal(200);
    expect(renewed.json).to.include({ value: 2, leaseId: lease.leaseId });
    expect(Date.parse(renewed.json.expiresAt ?? "") - Date.now()).to.be.above(3_500_000);
    await new Promise((resolve) => setTimeout(resolve, 4000)); // past the first ttl
    expect(await podLabel(cluster, ns, "worker", LABEL)).to.equal("2");
    const released = await post(`${base}/leases/${lease.leaseId}/release?pod_name=worker`);
    expect(released).to.deep.equal({ status: 200, json: { value: 1 } });
    const again = await fetch(`${base}/leases/${lease.leaseId}/release?pod_name=worker`, {
      method: "POST",
    });
    expect(again.status).to.equal(404);
    expect(((await again.json()) as { detail: string }).detail).to.contain("is not held");
    expect(await podLabel(cluster, ns, "worker", LABEL)).to.equal("1");
    const renewGone = await post(`${base}/leases/${lease.leaseId}/renew?pod_name=worker&ttl=60`);
    expect(renewGone.status).to.equal(404);
  });

  it("refuses a malformed or out-of-range ttl, and a ttl on a decrement, with 400 naming ttl", async () => {
    const ns = await createTestNamespace(cluster, "lease-bad");
    cp = await start(ns);
    await runningPod(cluster, ns, "worker");
    for (const [path, why] of [
      ["increment?pod_name=worker&ttl=0", "zero"],
      ["increment?pod_name=worker&ttl=8d", "a unit it does not know"],
      ["increment?pod_name=worker&ttl=700000", "past 7 days"],
      ["increment?pod_name=worker&ttl=", "empty"],
      ["decrement?pod_name=worker&ttl=5s", "on a decrement"],
      ["leases/abc/renew?pod_name=worker", "a renewal without one"],
    ]) {
      const res = await fetch(`${cp.restUrl}/${path}`, { method: "POST" });
      expect(res.status, why).to.equal(400);
      const problem = (await res.json()) as { errors?: { field: string }[] };
      expect(
        problem.errors?.map((e) => e.field),
        why,
      ).to.include("ttl");
    }
    expect(await podLabel(cluster, ns, "worker", LABEL)).to.equal(undefined);
  });
});

describe("controlplane: a lease outlives the replica that wrote it @cluster @postgres", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let replicas: Replicas | undefined;

  before(async function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
    cluster = await sharedCluster();
  });

  after(async () => {
    await replicas?.stop();
  });

  it("is ended by another replica when the one that wrote it is killed (-9)", async () => {
    const ns = await createTestNamespace(cluster, "lease-failover");
    await runningPod(cluster, ns, "orphan");
    replicas = await Replicas.start(cluster, 2, {
      args: [`--default-namespace=${ns}`, `--namespaces=${ns}`],
    });
    const [writer, other] = replicas.live;
    if (!writer || !other) throw new Error("two replicas are not running");
    const counter = createClient(PodCounterServiceDefinition, createChannel(writer.grpcAddress));
    const leasedAt = Date.now();
    const lease = await counter.increment({ podName: "orphan", ttlSeconds: 5 });
    expect(lease.value).to.equal(1);
    await replicas.kill(0);
    await waitFor(
      "another replica to end the lease",
      async () => ((await podLabel(cluster, ns, "orphan", LABEL)) === undefined ? true : undefined),
      { timeoutMs: 30_000 },
    );
    // Due at 5 s; the other replica's next list of busy pods (every 10 s) finds it.
    expect(Date.now() - leasedAt, "ms from the increment to the release").to.be.within(
      4500,
      17_000,
    );
    expect(await metricValue(other, "jobhooks_leases_expired_total")).to.equal(1);
  });
});
