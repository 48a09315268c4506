import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { join } from "node:path";
import { createChannel, createClient } from "nice-grpc";
import { PodCounterServiceDefinition } from "../../proto/gen/jobhooks/v1/podcounter.js";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { controlplaneKubeconfig } from "../support/controlplaneAccount.js";
import {
  dryRunPod,
  injectionWorks,
  injectorArgs,
  sidecarsOf,
  testWebhookConfiguration,
} from "../support/injector.js";
import { createJob, jobFinished } from "../support/jobs.js";
import { podLabel, runningPod } from "../support/pods.js";
import { Receiver } from "../support/receiver.js";
import { Replicas } from "../support/replicas.js";
import { testStoreEngines } from "../support/storeEngines.js";
import { startTcpBalancer, type TcpBalancer } from "../support/tcpBalancer.js";
import { webhookTo } from "../support/watchers.js";

const ROLE_FILE = join(repoRoot, "manifests", "ha", "rbac.yaml");
const CA_SECRET = "jobhooks-webhook-ca";
const CA_NAMESPACE = "jobhooks-system";

describe("controlplane: three replicas serve the webhook and the counter @cluster @postgres", function () {
  this.timeout(5 * 60_000);
  let cluster: TestCluster;
  let ns: string;
  let replicas: Replicas | undefined;
  let balancer: TcpBalancer | undefined;
  let admission: k8s.AdmissionregistrationV1Api;
  let core: k8s.CoreV1Api;

  before(async function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
    cluster = await sharedCluster();
    admission = cluster.kubeConfig.makeApiClient(k8s.AdmissionregistrationV1Api);
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    ns = await createTestNamespace(cluster, "replicas-serve");
    // The HA variant's rights: the shared CA in jobhooks-system (made with the ServiceAccount).
    await controlplaneKubeconfig(cluster);
    await cluster.kubectl(["apply", "-f", ROLE_FILE]);
    await core.deleteNamespacedSecret({ name: CA_SECRET, namespace: CA_NAMESPACE }).catch(() => {});
    replicas = await Replicas.start(cluster, 3, {
      injector: true,
      args: [
        ...injectorArgs("127.0.0.1:9090"),
        `--self-signed-ca-secret=${CA_NAMESPACE}/${CA_SECRET}`,
        "--label=active-jobs",
      ],
    });
    // The webhook's Service with three endpoints: a balancer on loopback in front of them.
    balancer = await startTcpBalancer(replicas.live.map((r) => r.webhookAddress));
    await admission.deleteMutatingWebhookConfiguration({ name: "jobhooks" }).catch(() => {});
    await admission.createMutatingWebhookConfiguration({
      body: testWebhookConfiguration("jobhooks", `https://${balancer.address}/inject`, ns),
    });
    await injectionWorks(cluster, ns);
  });

  after(async function () {
    this.timeout(60_000);
    if (!testStoreEngines().includes("postgres")) return;
    await replicas?.stop();
    await balancer?.close();
    await admission.deleteMutatingWebhookConfiguration({ name: "jobhooks" }).catch(() => {});
    await core.deleteNamespacedSecret({ name: CA_SECRET, namespace: CA_NAMESPACE }).catch(() => {});
    await cluster.kubectl(["delete", "--ignore-not-found", "-f", ROLE_FILE]);
  });

  it("serves one CA from the Secret; injection keeps working while a replica is down", async () => {
    const r = replicas as Replicas;
    const secret = await core.readNamespacedSecret({ name: CA_SECRET, namespace: CA_NAMESPACE });
    const ca = secret.data?.["tls.crt"] ?? "";
    const mwc = await admission.readMutatingWebhookConfiguration({ name: "jobhooks" });
    expect((mwc.webhooks ?? []).map((w) => w.clientConfig.caBundle)).to.deep.equal(
      (mwc.webhooks ?? []).map(() => ca),
    );
    // The apiserver keeps its connection to the webhook: the replica at its other end dies.
    const b = balancer as TcpBalancer;
    const held = [...b.open].find(([, n]) => n > 0)?.[0];
    const victim = r.all.findIndex((p) => p?.webhookAddress === held);
    expect(victim, `the replica behind ${held ?? "no connection"}`).to.be.at.least(0);
    await r.kill(victim);
    const injected: number[] = [];
    for (let i = 0; i < 12; i++) {
      const pod = await dryRunPod(cluster, ns, { annotations: { "jobhooks.dev/inject": "true" } });
      injected.push(sidecarsOf(pod).length);
    }
    expect(injected).to.deep.equal(injected.map(() => 1));
    // The apiserver went on through another replica.
    expect([...b.taken.keys()].length).to.be.greaterThanOrEqual(2);
    await r.restart(victim);
    b.setBackends(r.live.map((p) => p.webhookAddress));
  });

  it("counts 200 concurrent increments spread over the three replicas exactly", async () => {
    const r = replicas as Replicas;
    await runningPod(cluster, ns, "worker", { labels: { app: "worker" } });
    const clients = r.live.map((p) =>
      createClient(PodCounterServiceDefinition, createChannel(p.grpcAddress)),
    );
    const client = (i: number): (typeof clients)[number] =>
      clients[i % clients.length] as (typeof clients)[number];
    const ups = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client(i).increment({ namespace: ns, podName: "worker" }),
      ),
    );
    expect(ups.map((v) => v.value).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(await podLabel(cluster, ns, "worker", "active-jobs")).to.equal("200");
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client(i).decrement({ namespace: ns, podName: "worker" }),
      ),
    );
    await waitFor("the label gone", async () =>
      (await podLabel(cluster, ns, "worker", "active-jobs")) === undefined ? true : undefined,
    );
  });

  it("a standby watches no Jobs, is ready, and has the leader bind its watchers: one for a finished Job is delivered", async () => {
    const r = replicas as Replicas;
    const leader = await r.leader();
    const standbys = r.live.filter((_, i) => i !== leader);
    expect(standbys).to.have.length(2);
    for (const s of standbys) {
      const ready = await fetch(`http://${s.healthAddress}/readyz`);
      expect(ready.status, await ready.text()).to.equal(200);
    }
    const rx = await Receiver.start();
    try {
      await createJob(cluster, ns, "finished-first");
      await jobFinished(cluster, ns, "finished-first");
      const standby = standbys[0] as (typeof standbys)[number];
      const webhookId = await webhookTo(standby, `${rx.url}/standby`);
      const asked = Date.now();
      const w = await standby.watchers.createWatcher({
        namespace: ns,
        jobName: "finished-first",
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
      // The standby has no cache to bind it from: the leader does, within its poll of the store.
      expect(w.jobUid).to.equal("");
      await rx.waitFor("/standby", 1, 10_000);
      console.log(`      delivered ${Date.now() - asked} ms after the standby made the watcher`);
    } finally {
      await rx.stop();
    }
  });
});
