import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { join } from "node:path";
import { createChannel, createClient, Metadata, Status } from "nice-grpc";
import { DO_NOT_DISRUPT, SAFE_TO_EVICT } from "../../controlplane/podcounter/hints.js";
import { BUSY_SINCE, DROPPED, LEASES } from "../../controlplane/podcounter/podLife.js";
import { PodCounterServiceDefinition } from "../../proto/gen/jobhooks/v1/podcounter.js";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { applyBudgetExample, evict } from "../support/budget.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { metricValue } from "../support/metrics.js";
import { podAnnotations, podLabel, podToken, runningPod } from "../support/pods.js";

const LABEL = "active-jobs";

describe("controlplane: --max-busy, and force release @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await sharedCluster();
  });

  describe("--max-busy=3s", () => {
    let cp: ControlplaneProcess;
    let ns: string;

    before(async () => {
      ns = await createTestNamespace(cluster, "ceiling");
      await applyBudgetExample(cluster, ns);
      cp = await startControlplane(cluster, {
        role: "all",
        // Its namespace only: busy pods other tests left behind are no business of this test.
        args: [`--default-namespace=${ns}`, `--namespaces=${ns}`, "--max-busy=3s"],
      });
    });

    after(async () => {
      await cp.stop();
    });

    const count = async (pod: string, op: "increment" | "decrement"): Promise<string> =>
      (await fetch(`${cp.restUrl}/${op}?pod_name=${pod}`, { method: "POST" })).text();

    async function droppedEvents(pod: string): Promise<k8s.EventsV1Event[]> {
      const events = cluster.kubeConfig.makeApiClient(k8s.EventsV1Api);
      const list = await events.listNamespacedEvent({ namespace: ns });
      return list.items.filter(
        (e) => e.reason === "ProtectionDropped" && e.regarding?.name === pod,
      );
    }

    it("drops a pod's protection after 3 s busy, with a Warning Event, whatever its count; it comes back after the count has been 0", async () => {
      await runningPod(cluster, ns, "stuck");
      const busyAt = Date.now();
      expect(await count("stuck", "increment")).to.equal("1");
      expect(await podAnnotations(cluster, ns, "stuck")).to.include({ [SAFE_TO_EVICT]: "false" });
      await waitFor("the ceiling to drop the protection", async () =>
        (await podLabel(cluster, ns, "stuck", DROPPED)) === "true" ? true : undefined,
      );
      expect(Date.now() - busyAt, "ms busy before the drop").to.be.within(2900, 7000);
      expect(await podLabel(cluster, ns, "stuck", LABEL)).to.equal(undefined);
      const annotations = await podAnnotations(cluster, ns, "stuck");
      expect(annotations).to.include({ [LABEL]: "1" }); // the count is still known
      for (const key of [SAFE_TO_EVICT, DO_NOT_DISRUPT]) {
        expect(annotations, key).to.not.have.property(key);
      }
      const events = await waitFor("the ProtectionDropped event", async () => {
        const found = await droppedEvents("stuck");
        return found.length > 0 ? found : undefined;
      });
      expect(events[0]).to.include({ type: "Warning", action: "Protect" });
      expect(events[0]?.note).to.contain("--max-busy");
      const drops = cp.logs.filter((l) => l.msg === "busy past --max-busy: protection dropped");
      expect(drops, JSON.stringify(cp.logs.filter((l) => l.part === "busy-pods"))).to.have.length(
        1,
      );
      expect(await metricValue(cp, "jobhooks_pod_protections_dropped_total")).to.equal(1);
      expect(await evict(cluster, ns, "stuck")).to.equal(201);

      // Counting goes on unprotected; at 0 the period ends, and the next one is protected again.
      await runningPod(cluster, ns, "again");
      expect(await count("again", "increment")).to.equal("1");
      await waitFor("the drop", async () =>
        (await podLabel(cluster, ns, "again", DROPPED)) === "true" ? true : undefined,
      );
      expect(await count("again", "increment")).to.equal("2");
      expect(await podLabel(cluster, ns, "again", LABEL)).to.equal(undefined);
      expect(await count("again", "decrement")).to.equal("1");
      expect(await count("again", "decrement")).to.equal("0");
      const idle = await podAnnotations(cluster, ns, "again");
      for (const key of [LABEL, BUSY_SINCE, LEASES]) expect(idle, key).to.not.have.property(key);
      expect(await podLabel(cluster, ns, "again", DROPPED)).to.equal(undefined);
      expect(await count("again", "increment")).to.equal("1");
      expect(await podLabel(cluster, ns, "again", LABEL)).to.equal("1");
    });
  });

  describe("force release (--auth=tokenreview)", () => {
    let cp: ControlplaneProcess;
    let ns: string;

    before(async () => {
      ns = await createTestNamespace(cluster, "release");
      await cluster.kubectl([
        "apply",
        "-f",
        join(repoRoot, "manifests", "rbac", "user-roles.yaml"),
      ]);
      cp = await startControlplane(cluster, { role: "all", auth: "tokenreview" });
    });

    after(async () => {
      await cp.stop();
    });

    // A ServiceAccount's token, bound to no pod: a person's or a tool's.
    async function accountToken(name: string): Promise<string> {
      const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
      await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
      const req = await core.createNamespacedServiceAccountToken({
        name,
        namespace: ns,
        body: { spec: { audiences: ["jobhooks"], expirationSeconds: 3600 } },
      });
      return req.status!.token;
    }

    it("sets a busy pod's count to 0 and ends its leases, for a caller with delete on podcounters only", async () => {
      const pod = await runningPod(cluster, ns, "held", { account: "worker" });
      const own = {
        metadata: Metadata({ authorization: `Bearer ${await podToken(cluster, pod)}` }),
      };
      const counter = createClient(PodCounterServiceDefinition, createChannel(cp.grpcAddress));
      await counter.increment({}, own);
      await counter.increment({}, own);
      const lease = await counter.increment({ ttlSeconds: 3600 }, own);
      expect(lease.value).to.equal(3);
      expect(lease.lease?.id).to.have.length(22);

      // Not the pod itself, nor an account without the right.
      const refused = (p: Promise<unknown>): Promise<Status | undefined> =>
        p.then(
          () => undefined,
          (e: unknown) => (e as { code?: Status }).code,
        );
      expect(await refused(counter.forceRelease({}, own))).to.equal(Status.PERMISSION_DENIED);
      const stranger = await accountToken("stranger");
      const asStranger = { metadata: Metadata({ authorization: `Bearer ${stranger}` }) };
      expect(
        await refused(counter.forceRelease({ podName: "held", namespace: ns }, asStranger)),
      ).to.equal(Status.PERMISSION_DENIED);
      const strangerRest = await fetch(
        `${cp.restUrl}/force-release?pod_name=held&namespace=${ns}`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${stranger}` },
        },
      );
      expect(strangerRest.status).to.equal(403);
      expect(await podLabel(cluster, ns, "held", LABEL)).to.equal("3");

      // The shipped role, bound in the namespace.
      const operator = await accountToken("operator");
      const rbac = cluster.kubeConfig.makeApiClient(k8s.RbacAuthorizationV1Api);
      await rbac.createNamespacedRoleBinding({
        namespace: ns,
        body: {
          metadata: { name: "operator-releases" },
          subjects: [{ kind: "ServiceAccount", name: "operator", namespace: ns }],
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "jobhooks-podcounter-releaser",
          },
        },
      });
      const released = await waitFor("the binding to take effect", async () => {
        const res = await fetch(`${cp.restUrl}/force-release?pod_name=held&namespace=${ns}`, {
          method: "POST",
          headers: { authorization: `Bearer ${operator}` },
        });
        return res.status === 200 ? await res.json() : undefined;
      });
      expect(released).to.deep.equal({ value: 0, released: 1 });
      expect(await podLabel(cluster, ns, "held", LABEL)).to.equal(undefined);
      const idle = await podAnnotations(cluster, ns, "held");
      for (const key of [LABEL, LEASES, BUSY_SINCE, SAFE_TO_EVICT, DO_NOT_DISRUPT]) {
        expect(idle, key).to.not.have.property(key);
      }
      // The workload's own lease is gone: its release is 404 and takes nothing more away.
      const late = counter.releaseLease({ leaseId: lease.lease!.id }, own);
      expect(await refused(late)).to.equal(Status.NOT_FOUND);
      expect((await counter.getCounter({}, own)).value).to.equal(0);
    });
  });
});
