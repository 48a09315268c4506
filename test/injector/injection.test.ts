import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import {
  annotatedJob,
  dryRunPod,
  injectionWorks,
  injectorArgs,
  SIDECAR,
  sidecarsOf,
  testWebhookConfiguration,
} from "../support/injector.js";

describe("sidecar injection @cluster", function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let ns: string;
  let cp: ControlplaneProcess;
  let configuration: string;
  let core: k8s.CoreV1Api;
  let admission: k8s.AdmissionregistrationV1Api;

  const caBundles = async (): Promise<string[]> => {
    const mwc = await admission.readMutatingWebhookConfiguration({ name: configuration });
    return (mwc.webhooks ?? []).map((w) => w.clientConfig.caBundle ?? "");
  };

  async function podsOf(job: string): Promise<k8s.V1Pod[]> {
    return waitFor(`pods of Job ${job}`, async () => {
      const list = await core.listNamespacedPod({
        namespace: ns,
        labelSelector: `batch.kubernetes.io/job-name=${job}`,
      });
      return list.items.length > 0 ? list.items : undefined;
    });
  }

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    admission = cluster.kubeConfig.makeApiClient(k8s.AdmissionregistrationV1Api);
    ns = await createTestNamespace(cluster, "inject");
    configuration = "jobhooks";
    cp = await startControlplane(cluster, { injector: true, args: injectorArgs("127.0.0.1:9090") });
    await admission.deleteMutatingWebhookConfiguration({ name: configuration }).catch(() => {});
    // Created after the controlplane started: the caBundle keeper fills it in when it appears.
    await admission.createMutatingWebhookConfiguration({
      body: testWebhookConfiguration(configuration, `https://${cp.webhookAddress}/inject`, ns),
    });
    await injectionWorks(cluster, ns);
  });

  after(async () => {
    await cp.stop();
    await admission.deleteMutatingWebhookConfiguration({ name: configuration }).catch(() => {});
  });

  it("--self-signed sets the caBundle of every webhook, and mends it when it is changed", async () => {
    const bundles = await caBundles();
    expect(bundles).to.have.length(2);
    expect(bundles[0]).to.not.equal("");
    expect(bundles[1]).to.equal(bundles[0]);
    const pem = Buffer.from(bundles[0] ?? "", "base64").toString();
    expect(pem).to.match(/^-----BEGIN CERTIFICATE-----/);

    const other = Buffer.from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    await cluster.kubectl([
      "patch",
      "mutatingwebhookconfiguration",
      configuration,
      "--type=json",
      `-p=[{"op":"replace","path":"/webhooks/0/clientConfig/caBundle","value":"${other.toString("base64")}"}]`,
    ]);
    await waitFor("the caBundle mended", async () =>
      (await caBundles()).every((b) => b === bundles[0]) ? true : undefined,
    );
    const metrics = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
    expect(metrics).to.match(/^jobhooks_injector_ca_bundle_current 1$/m);
    expect(metrics).to.match(/^jobhooks_injector_admissions_total\{outcome="injected"\} [1-9]/m);
  });

  it("gives a Job's pods the sidecar exactly once: native, with the token volume and env", async () => {
    const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    // Both opt-ins at once: both webhooks see the pod, and the second finds it injected.
    await batch.createNamespacedJob({
      namespace: ns,
      body: annotatedJob("both", { label: true, annotation: true }),
    });
    await batch.createNamespacedJob({
      namespace: ns,
      body: annotatedJob("annotated", { annotation: true }),
    });
    await batch.createNamespacedJob({
      namespace: ns,
      body: annotatedJob("labelled", { label: true }),
    });
    for (const job of ["both", "annotated", "labelled"]) {
      const [pod] = await podsOf(job);
      const sidecars = sidecarsOf(pod!);
      expect(sidecars, job).to.have.length(1);
      const sidecar = sidecars[0]!;
      expect(pod!.spec?.initContainers?.[0]?.name).to.equal(SIDECAR);
      expect(sidecar.restartPolicy).to.equal("Always");
      expect(sidecar.image).to.equal("jobhooks:test");
      expect(sidecar.env?.map((e) => e.name)).to.deep.equal([
        "POD_NAME",
        "POD_NAMESPACE",
        "JOB_NAME",
      ]);
      expect(sidecar.startupProbe?.httpGet?.path).to.equal("/readyz");
      const token = pod!.spec?.volumes?.find((v) => v.name === "jobhooks-token");
      expect(token?.projected?.sources?.[0]?.serviceAccountToken).to.deep.equal({
        audience: "jobhooks",
        expirationSeconds: 3600,
        path: "token",
      });
      expect(pod!.spec?.containers.map((c) => c.name)).to.deep.equal(["work"]);
    }
  });

  it("leaves a Job's pods untouched without the opt-in", async () => {
    const batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    await batch.createNamespacedJob({ namespace: ns, body: annotatedJob("plain", {}) });
    const [pod] = await podsOf("plain");
    expect(pod!.spec?.initContainers ?? []).to.deep.equal([]);
    // Only what the apiserver itself adds: the ServiceAccount's API token volume.
    const volumes = (pod!.spec?.volumes ?? []).map((v) => v.name);
    expect(volumes.filter((v) => !v.startsWith("kube-api-access-"))).to.deep.equal([]);
    expect(pod!.spec?.containers.map((c) => c.name)).to.deep.equal(["work"]);
    const annotated = await dryRunPod(cluster, ns, {
      annotations: { "jobhooks.dev/inject": "false" },
    });
    expect(sidecarsOf(annotated)).to.deep.equal([]);
  });

  it("refuses, with the reason, a pod that asks for the sidecar on the host's network", async () => {
    const refused = await core
      .createNamespacedPod({
        namespace: ns,
        dryRun: "All",
        body: {
          metadata: { generateName: "host-", annotations: { "jobhooks.dev/inject": "true" } },
          spec: { hostNetwork: true, containers: [{ name: "work", image: "busybox" }] },
        },
      })
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number; body?: string },
      );
    expect(refused?.code).to.equal(400);
    expect(String(refused?.body)).to.contain("host's network");
  });

  it("injects a sidecar that Pod Security's restricted level admits", async () => {
    await cluster.kubectl([
      "label",
      "namespace",
      ns,
      "pod-security.kubernetes.io/enforce=restricted",
    ]);
    try {
      const pod = await core.createNamespacedPod({
        namespace: ns,
        dryRun: "All",
        body: {
          metadata: { generateName: "restricted-", annotations: { "jobhooks.dev/inject": "true" } },
          spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "work",
                image: "busybox",
                securityContext: {
                  runAsUser: 1000,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
          },
        },
      });
      expect(sidecarsOf(pod)).to.have.length(1);
    } finally {
      await cluster.kubectl(["label", "namespace", ns, "pod-security.kubernetes.io/enforce-"]);
    }
  });

  it("with the controlplane hung: an annotated pod waits the webhook's 2 s timeout, then is created without the sidecar", async () => {
    cp.child.kill("SIGSTOP");
    try {
      const started = Date.now();
      const pod = await dryRunPod(cluster, ns, { annotations: { "jobhooks.dev/inject": "true" } });
      const waited = Date.now() - started;
      expect(sidecarsOf(pod)).to.deep.equal([]);
      expect(waited).to.be.within(1900, 4900);
    } finally {
      cp.child.kill("SIGCONT");
    }
    await injectionWorks(cluster, ns);
  });

  it("with the controlplane down: an annotated pod is created without the sidecar (Ignore), a labelled one is refused (Fail)", async () => {
    await cp.kill();
    const annotated = await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: "annotated-while-down", annotations: { "jobhooks.dev/inject": "true" } },
        spec: { containers: [{ name: "work", image: "busybox" }] },
      },
    });
    expect(sidecarsOf(annotated)).to.deep.equal([]);
    const refused = await core
      .createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: "labelled-while-down", labels: { "jobhooks.dev/inject": "true" } },
          spec: { containers: [{ name: "work", image: "busybox" }] },
        },
      })
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number; body?: string },
      );
    expect(refused?.code).to.equal(500);
    expect(String(refused?.body)).to.contain("inject.jobhooks.dev");
    // Other pods are never held up by the injector.
    const plain = await dryRunPod(cluster, ns, {});
    expect(plain.spec?.containers).to.have.length(1);
  });
});
