import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metadata } from "nice-grpc";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import {
  startControlplane,
  storePathOf,
  type ControlplaneProcess,
} from "../support/controlplane.js";
import { podLabel, podToken, runningPod } from "../support/pods.js";
import { startSidecar, type SidecarProcess } from "../support/sidecar.js";

const LABEL = "active-jobs";
const POD = "worker-0";
const JOB = "nightly-report";

interface Answer {
  status: number;
  type: string;
  text: string;
  json: () => Record<string, unknown>;
}

describe("sidecar against a controlplane with --auth=tokenreview @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let sidecar: SidecarProcess;
  let ns: string;
  let pod: k8s.V1Pod;
  let tokenDir: string;
  let tokenFile: string;
  let webhookAdminBinding: string;

  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const res = await fetch(sidecar.url + path, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get("content-type") ?? "",
      text,
      json: () => JSON.parse(text) as Record<string, unknown>,
    };
  }

  /** `n` concurrent POSTs to `path`; every answer must be 200. The values, sorted. */
  async function concurrently(n: number, path: string): Promise<number[]> {
    const answers = await Promise.all(
      Array.from({ length: n }, () => call(path, { method: "POST" })),
    );
    for (const a of answers) expect(a.status, a.text).to.equal(200);
    return answers.map((a) => Number(a.json().value)).sort((a, b) => a - b);
  }

  const label = (): Promise<string | undefined> => podLabel(cluster, ns, POD, LABEL);

  /** Replaces the token file as the kubelet does: a new file renamed over the old one. */
  function writeToken(token: string): void {
    const next = join(tokenDir, "token.next");
    writeFileSync(next, token);
    renameSync(next, tokenFile);
  }

  async function ready(): Promise<void> {
    await waitFor(
      "sidecar /readyz 200",
      async () => ((await call("/readyz")).status === 200 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "sidecar");
    await cluster.kubectl(["apply", "-f", join(repoRoot, "manifests", "rbac", "user-roles.yaml")]);
    pod = await runningPod(cluster, ns, POD, { account: "worker" });
    // The pod's own ServiceAccount may register watchers in its namespace, as a Job's would.
    await cluster.kubectl([
      "create",
      "rolebinding",
      "worker-watchers",
      "--clusterrole=jobhooks-watcher-editor",
      `--serviceaccount=${ns}:worker`,
      `--namespace=${ns}`,
    ]);
    tokenDir = mkdtempSync(join(tmpdir(), "jobhooks-sidecar-token-"));
    tokenFile = join(tokenDir, "token");
    writeToken(await podToken(cluster, pod));
    cp = await startControlplane(cluster, { auth: "tokenreview" });
    sidecar = await startSidecar({
      controlplane: cp.grpcAddress,
      tokenFile,
      env: { POD_NAME: POD, POD_NAMESPACE: ns, JOB_NAME: JOB },
    });
    await ready();
  });

  after(async () => {
    await sidecar.stop();
    await cp.stop();
    rmSync(tokenDir, { recursive: true, force: true });
    if (webhookAdminBinding) {
      await cluster.kubectl(["delete", "clusterrolebinding", webhookAdminBinding]);
    }
  });

  it("is alive and ready", async () => {
    expect((await call("/healthz")).status).to.equal(200);
    const r = await call("/readyz");
    expect(r.status).to.equal(200);
    expect(r.text).to.contain("[+] token ok").and.contain("[+] controlplane ok");
  });

  it("counts 200 concurrent increments exactly, then 200 decrements remove the label", async () => {
    expect(await concurrently(200, "/increment")).to.deep.equal(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(await label()).to.equal("200");

    // pod-webhook-tracker's callers read a bare number.
    const plain = { method: "POST", headers: { accept: "text/plain" } };
    const up = await call("/increment", plain);
    expect(up).to.deep.include({ status: 200, text: "201" });
    expect(up.type).to.match(/^text\/plain/);
    expect(await call("/decrement", plain)).to.deep.include({ status: 200, text: "200" });

    const downs = await concurrently(200, "/decrement");
    expect(downs[0]).to.equal(0);
    expect(await label()).to.equal(undefined);
    const atZero = await call("/decrement", { method: "POST" });
    expect(atZero.status).to.equal(200);
    expect(atZero.json()).to.deep.equal({ value: 0 });
    expect(await label()).to.equal(undefined);
  });

  it("is not ready and answers 503 while the controlplane is down; loses and doubles nothing across its restart", async () => {
    expect(await concurrently(30, "/increment")).to.have.members(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(await label()).to.equal("30");

    const address = cp.grpcAddress;
    const port = address.slice(address.lastIndexOf(":") + 1);
    const storePath = storePathOf(cp);
    await cp.stop();

    const notReady = await call("/readyz");
    expect(notReady.status).to.equal(503);
    expect(notReady.text).to.contain(`[-] controlplane: the controlplane at ${address}`);
    const refused = await call("/increment", { method: "POST" });
    expect(refused.status).to.equal(503);
    expect(refused.type).to.equal("application/problem+json");
    expect(refused.json().detail).to.match(
      new RegExp(`^the controlplane at ${address} is unavailable: `),
    );
    expect(await label()).to.equal("30");

    cp = await startControlplane(cluster, {
      auth: "tokenreview",
      args: [`--grpc-listen=127.0.0.1:${port}`],
      storePath,
    });
    await ready();
    expect(await concurrently(20, "/increment")).to.have.members(
      Array.from({ length: 20 }, (_, i) => i + 31),
    );
    expect(await label()).to.equal("50");
    await concurrently(50, "/decrement");
    expect(await label()).to.equal(undefined);
  });

  it("re-reads the token file when it is replaced or removed", async () => {
    // Probes are decrements at zero: whichever token they carry, they change nothing.
    const probe = (): Promise<Answer> => call("/decrement", { method: "POST" });
    writeToken("not-a-token");
    await waitFor(
      "the sidecar to send the replaced token",
      async () => {
        const r = await probe();
        return r.status === 503 && r.text.includes("did not accept this pod's token")
          ? true
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );

    rmSync(tokenFile);
    const missing = await waitFor(
      "503 for the missing token file",
      async () => {
        const r = await probe();
        return r.status === 503 && r.text.includes(tokenFile) ? r : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(missing.json().detail).to.contain(tokenFile);
    const notReady = await call("/readyz");
    expect(notReady.status).to.equal(503);
    expect(notReady.text).to.contain(`[-] token: cannot read the ServiceAccount token file`);

    writeToken(await podToken(cluster, pod));
    await waitFor(
      "a call with the new token",
      async () => ((await probe()).status === 200 ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect((await call("/increment", { method: "POST" })).json()).to.deep.equal({ value: 1 });
    expect(await label()).to.equal("1");
    expect((await call("/decrement", { method: "POST" })).json()).to.deep.equal({ value: 0 });
    await ready();
  });

  it("registers a watcher for its own Job in its namespace from a body with only triggers", async () => {
    // Webhooks are cluster-wide: a ServiceAccount with the webhook-editor role creates one.
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: "hook-admin" } },
    });
    webhookAdminBinding = `${ns}-hook-admin`;
    await cluster.kubectl([
      "create",
      "clusterrolebinding",
      webhookAdminBinding,
      "--clusterrole=jobhooks-webhook-editor",
      `--serviceaccount=${ns}:hook-admin`,
    ]);
    const adminToken = await core.createNamespacedServiceAccountToken({
      name: "hook-admin",
      namespace: ns,
      body: { spec: { audiences: ["jobhooks"], expirationSeconds: 600 } },
    });
    const webhook = await cp.webhooks.createWebhook(
      { url: "https://hooks.example.invalid/job-done", description: "sidecar test" },
      { metadata: Metadata({ authorization: `Bearer ${adminToken.status!.token}` }) },
    );

    const register = (): Promise<Answer> =>
      call("/job-done-watchers", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": JOB },
        body: JSON.stringify({ jobDoneTriggerWebhooks: [{ webhookId: webhook.id }] }),
      });
    const created = await register();
    expect(created.status, created.text).to.equal(201);
    const watcher = created.json();
    expect(watcher).to.include({ jobName: JOB, namespace: ns, status: "PENDING" });
    expect(watcher.jobDoneTriggerWebhooks).to.have.length(1);
    expect((watcher.jobDoneTriggerWebhooks as { webhookId: string }[])[0]?.webhookId).to.equal(
      webhook.id,
    );
    // The same Idempotency-Key: the same watcher, as with the REST API.
    const again = await register();
    expect(again.status).to.equal(201);
    expect(again.json().id).to.equal(watcher.id);
  });

  it("stops on SIGTERM with exit code 0", async () => {
    expect(await sidecar.stop()).to.equal(0);
    expect(sidecar.logs.map((l) => l.msg)).to.include("stopped");
  });
});
