import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { Metadata } from "nice-grpc";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { generateSecret } from "../../controlplane/dispatcher/sign.js";
import { WEBHOOKS_CALLED_LABEL } from "../../controlplane/labeller/JobLabeller.js";
import { repoRoot } from "../cluster/paths.js";
import { freePort } from "../cluster/ports.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import {
  annotatedJob,
  injectionWorks,
  injectorArgs,
  SIDECAR,
  testWebhookConfiguration,
} from "../support/injector.js";
import { podToken } from "../support/pods.js";
import { Receiver } from "../support/receiver.js";
import { startSidecar, type SidecarProcess } from "../support/sidecar.js";

/** The value kubelet gives a downward-API env variable of this pod. */
function fieldValue(pod: k8s.V1Pod, fieldPath: string): string {
  if (fieldPath === "metadata.name") return pod.metadata?.name ?? "";
  if (fieldPath === "metadata.namespace") return pod.metadata?.namespace ?? "";
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath)?.[1];
  if (label !== undefined) return pod.metadata?.labels?.[label] ?? "";
  throw new Error(`no value for fieldPath ${fieldPath}`);
}

describe("an injected Job, end to end @cluster", function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let ns: string;
  let cp: ControlplaneProcess;
  let receiver: Receiver;
  let sidecar: SidecarProcess | undefined;
  let tokenDir: string;
  let adminBinding: string | undefined;
  const admission = (): k8s.AdmissionregistrationV1Api =>
    cluster.kubeConfig.makeApiClient(k8s.AdmissionregistrationV1Api);

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "e2e");
    receiver = await Receiver.start();
    tokenDir = mkdtempSync(join(tmpdir(), "jobhooks-e2e-"));
    // The sidecar is told this address by the injector, so the controlplane must listen there.
    const grpc = `127.0.0.1:${await freePort()}`;
    cp = await startControlplane(cluster, {
      auth: "tokenreview",
      injector: true,
      args: [...injectorArgs(grpc), `--grpc-listen=${grpc}`, "--retry-base=100ms"],
    });
    await admission()
      .deleteMutatingWebhookConfiguration({ name: "jobhooks" })
      .catch(() => {});
    await admission().createMutatingWebhookConfiguration({
      body: testWebhookConfiguration("jobhooks", `https://${cp.webhookAddress}/inject`, ns),
    });
    await injectionWorks(cluster, ns);
    // The Job's ServiceAccount has no jobhooks role at all: its pod's token alone lets it watch
    // its own Job. Another ServiceAccount may create webhooks.
    await cluster.kubectl(["apply", "-f", join(repoRoot, "manifests", "rbac", "user-roles.yaml")]);
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    for (const name of ["worker", "hook-admin"]) {
      await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name } } });
    }
    adminBinding = `${ns}-hook-admin`;
    await cluster.kubectl([
      ...["create", "clusterrolebinding", adminBinding, "--clusterrole=jobhooks-webhook-editor"],
      `--serviceaccount=${ns}:hook-admin`,
    ]);
  });

  after(async () => {
    await sidecar?.stop();
    await cp.stop();
    await receiver.stop();
    await admission()
      .deleteMutatingWebhookConfiguration({ name: "jobhooks" })
      .catch(() => {});
    if (adminBinding) await cluster.kubectl(["delete", "clusterrolebinding", adminBinding]);
    rmSync(tokenDir, { recursive: true, force: true });
  });

  it("a sidecar with the injected pod's token registers a watcher; the Job completes, the webhook arrives signed, the Job is labelled", async () => {
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    const admin = await core.createNamespacedServiceAccountToken({
      name: "hook-admin",
      namespace: ns,
      body: { spec: { audiences: ["jobhooks"], expirationSeconds: 600 } },
    });
    const secret = generateSecret();
    const webhook = await cp.webhooks.createWebhook(
      { url: `${receiver.url}/${ns}/done`, description: "e2e", secret },
      { metadata: Metadata({ authorization: `Bearer ${admin.status!.token}` }) },
    );

    // Through the apiserver: the Job controller makes the pod, the injector adds the sidecar.
    await batch.createNamespacedJob({
      namespace: ns,
      body: annotatedJob("report", { annotation: true, account: "worker", runMs: 5000 }),
    });
    const pod = await waitFor("the Job's pod", async () => {
      const list = await core.listNamespacedPod({
        namespace: ns,
        labelSelector: "batch.kubernetes.io/job-name=report",
      });
      return list.items[0];
    });
    const injected = pod.spec?.initContainers?.find((c) => c.name === SIDECAR);
    const args = injected?.args ?? [];
    const controlplane = args.find((a) => a.startsWith("--controlplane="))?.split("=")[1];
    expect(controlplane).to.equal(cp.grpcAddress);
    const audience = pod.spec?.volumes?.find((v) => v.name === "jobhooks-token")?.projected
      ?.sources?.[0]?.serviceAccountToken?.audience;

    // The sidecar as kubelet would run it: the injected env resolved for this pod, and a token
    // for the pod's ServiceAccount bound to this pod, as the projected volume holds.
    const env = Object.fromEntries(
      (injected?.env ?? []).map((e) => [
        e.name,
        fieldValue(pod, e.valueFrom?.fieldRef?.fieldPath ?? ""),
      ]),
    );
    expect(env).to.deep.equal({
      POD_NAME: pod.metadata?.name,
      POD_NAMESPACE: ns,
      JOB_NAME: "report",
    });
    const tokenFile = join(tokenDir, "token");
    writeFileSync(tokenFile, await podToken(cluster, pod, audience));
    sidecar = await startSidecar({
      controlplane: controlplane ?? "",
      tokenFile,
      env,
      args: ["--probe-listen=127.0.0.1:0"],
    });
    // Its two listeners log in either order: startSidecar waited for the main one's line only.
    const running = sidecar;
    const probes = await waitFor("the sidecar's probe listener", () =>
      Promise.resolve(running.logs.find((l) => l.msg === "sidecar-probes listening")?.address),
    );
    await waitFor(
      "the sidecar's startup probe to pass",
      async () => ((await fetch(`http://${String(probes)}/readyz`)).ok ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // The probe listener serves health only.
    expect((await fetch(`http://${String(probes)}/increment`, { method: "POST" })).status).to.equal(
      404,
    );

    const created = await fetch(`${sidecar.url}/job-done-watchers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jobDoneTriggerWebhooks: [{ webhookId: webhook.id }] }),
    });
    expect(created.status).to.equal(201);
    // Registered while the Job still runs (run-ms): the delivery below follows its completion.
    expect(await created.json()).to.deep.include({
      jobName: "report",
      namespace: ns,
      status: "PENDING",
    });
    // Its own Job only: another Job takes the RBAC right the pod's ServiceAccount lacks.
    const other = await fetch(`${sidecar.url}/job-done-watchers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jobName: "other",
        jobDoneTriggerWebhooks: [{ webhookId: webhook.id }],
      }),
    });
    expect(other.status).to.equal(403);

    const [delivery] = await receiver.waitFor(`/${ns}/done`, 1, 60_000);
    const headers = {
      "webhook-id": String(delivery?.headers["webhook-id"]),
      "webhook-timestamp": String(delivery?.headers["webhook-timestamp"]),
      "webhook-signature": String(delivery?.headers["webhook-signature"]),
    };
    expect(() => new StandardWebhook(secret).verify(delivery?.body ?? "", headers)).to.not.throw();
    const event = JSON.parse(delivery?.body ?? "{}") as Record<string, unknown>;
    expect(JSON.stringify(event)).to.contain("report");
    await waitFor("the webhooks-called label", async () => {
      const job = await batch.readNamespacedJob({ name: "report", namespace: ns });
      return job.metadata?.labels?.[WEBHOOKS_CALLED_LABEL] === "true" ? true : undefined;
    });
  });
});
