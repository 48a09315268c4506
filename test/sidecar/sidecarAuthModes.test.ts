import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { podLabel, podToken, runningPod } from "../support/pods.js";
import { startSidecar, type SidecarProcess } from "../support/sidecar.js";

const POD = "worker-0";
const JOB = "nightly-report";

interface Answer {
  status: number;
  text: string;
  json: () => Record<string, unknown>;
}

async function call(
  sidecar: SidecarProcess,
  path: string,
  init: RequestInit = {},
): Promise<Answer> {
  const res = await fetch(sidecar.url + path, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function ready(sidecar: SidecarProcess): Promise<void> {
  await waitFor(
    "sidecar /readyz 200",
    async () => ((await call(sidecar, "/readyz")).status === 200 ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/**
 * The sidecar names its own pod (POD_NAME, POD_NAMESPACE from the downward API) in every call,
 * so it works whatever --auth the controlplane runs with; a pod-bound token must agree with it.
 */
describe("sidecar under every --auth mode @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let ns: string;
  let pod: k8s.V1Pod;
  let tokenDir: string;
  let tokenFile: string;

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "sidecar-auth");
    pod = await runningPod(cluster, ns, POD, { account: "worker" });
    await runningPod(cluster, ns, "worker-1", { account: "worker" });
    tokenDir = mkdtempSync(join(tmpdir(), "jobhooks-sidecar-auth-"));
    tokenFile = join(tokenDir, "token");
    // The injector mounts the pod's projected token whatever --auth is.
    writeFileSync(tokenFile, await podToken(cluster, pod));
  });

  after(() => {
    rmSync(tokenDir, { recursive: true, force: true });
  });

  describe("--auth=none (the seed's unauthenticated setup, and the demo's)", () => {
    let cp: ControlplaneProcess;
    let sidecar: SidecarProcess;

    before(async () => {
      cp = await startControlplane(cluster, { auth: "none" });
      sidecar = await startSidecar({
        controlplane: cp.grpcAddress,
        tokenFile,
        env: { POD_NAME: POD, POD_NAMESPACE: ns, JOB_NAME: JOB },
      });
      await ready(sidecar);
    });

    after(async () => {
      await sidecar.stop();
      await cp.stop();
    });

    it("counts 200 concurrent increments exactly on its own pod, then 200 decrements", async () => {
      const ups = await Promise.all(
        Array.from({ length: 200 }, () => call(sidecar, "/increment", { method: "POST" })),
      );
      for (const a of ups) expect(a.status, a.text).to.equal(200);
      expect(ups.map((a) => Number(a.json().value)).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      expect(await podLabel(cluster, ns, POD, "active-jobs")).to.equal("200");
      expect(await podLabel(cluster, ns, "worker-1", "active-jobs")).to.equal(undefined);
      const downs = await Promise.all(
        Array.from({ length: 200 }, () => call(sidecar, "/decrement", { method: "POST" })),
      );
      for (const a of downs) expect(a.status, a.text).to.equal(200);
      expect(await podLabel(cluster, ns, POD, "active-jobs")).to.equal(undefined);
    });

    it("registers a watcher for its own Job in its namespace", async () => {
      const webhook = await cp.webhooks.createWebhook({
        url: "https://hooks.example.invalid/job-done",
        description: "sidecar --auth=none",
      });
      const created = await call(sidecar, "/job-done-watchers", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jobDoneTriggerWebhooks: [{ webhookId: webhook.id }] }),
      });
      expect(created.status, created.text).to.equal(201);
      expect(created.json()).to.include({ jobName: JOB, namespace: ns, status: "PENDING" });
    });
  });

  describe("--auth=tokenreview: the pod it names must be its token's", () => {
    let cp: ControlplaneProcess;
    let sidecar: SidecarProcess;

    before(async () => {
      cp = await startControlplane(cluster, { auth: "tokenreview" });
      // A downward API that names another pod than the one the token is bound to.
      sidecar = await startSidecar({
        controlplane: cp.grpcAddress,
        tokenFile,
        env: { POD_NAME: "worker-1", POD_NAMESPACE: ns, JOB_NAME: JOB },
      });
      await ready(sidecar);
    });

    after(async () => {
      await sidecar.stop();
      await cp.stop();
    });

    it("is refused with 403 naming both pods, and counts nothing", async () => {
      const refused = await call(sidecar, "/increment", { method: "POST" });
      expect(refused.status, refused.text).to.equal(403);
      expect(refused.json().detail).to.contain(`${ns}/${POD}`).and.contain(`${ns}/worker-1`);
      expect(await podLabel(cluster, ns, "worker-1", "active-jobs")).to.equal(undefined);
      expect(await podLabel(cluster, ns, POD, "active-jobs")).to.equal(undefined);
    });
  });
});
