import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { sharedCluster } from "../support/cluster.js";
import { CONTROLPLANE_NAMESPACE, controlplaneKubeconfig } from "../support/controlplaneAccount.js";
import { canI, listedSecretRights, runKubectl } from "../support/kubectl.js";
import {
  dryRunIds,
  kubectlId,
  kustomizationResources,
  manifestsDir,
  readObjects,
  type KubeObject,
} from "../support/manifests.js";

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "MutatingWebhookConfiguration",
]);
const SEED_SERVICE = "k8s-job-webhook-service";

interface PodOwner {
  spec: { template: { spec: { containers: { image: string; args: string[] }[] } } };
}

const yamlIn = (dir: string): string[] =>
  readdirSync(join(manifestsDir, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(manifestsDir, dir, f));
const base = (): KubeObject[] => kustomizationResources().flatMap(readObjects);

describe("manifests/kustomization.yaml", () => {
  it("lists every file of the base, and no example", () => {
    const files = [...yamlIn("."), ...yamlIn("rbac")].filter(
      (f) => !f.endsWith("kustomization.yaml"),
    );
    expect(kustomizationResources().map((f) => relative(manifestsDir, f))).to.have.members(
      files.map((f) => relative(manifestsDir, f)),
    );
  });

  it("puts every namespaced object in jobhooks-system, but the seed's Service name in default", () => {
    for (const o of base().filter((o) => !CLUSTER_SCOPED.has(o.kind))) {
      const expected =
        o.kind === "Service" && o.metadata.name === SEED_SERVICE
          ? "default"
          : CONTROLPLANE_NAMESPACE;
      expect(o.metadata.namespace, kubectlId(o)).to.equal(expected);
    }
  });

  it("injects the image the controlplane runs as the sidecar", () => {
    const controlplane = base().find(
      (o) => o.kind === "Deployment" && o.metadata.name === "jobhooks-controlplane",
    ) as unknown as PodOwner | undefined;
    const [container] = controlplane?.spec.template.spec.containers ?? [];
    expect(container?.image).to.equal("jobhooks:0.1.0");
    expect(container?.args).to.include(`--sidecar-image=${container?.image ?? ""}`);
  });
});

describe("manifests against the apiserver @cluster", function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let controlplane: string;

  before(async function () {
    this.timeout(20 * 60_000); // the first use may build the binaries
    cluster = await sharedCluster();
    // Applies namespace.yaml, the CRDs, the ServiceAccounts and the controlplane's roles for
    // real: a server-side dry run of an object checks it against its namespace as it is, and of
    // a Webhook or ClusterWebhook against its CRD's schema, which must be served already.
    controlplane = await controlplaneKubeconfig(cluster);
  });

  const dryRun = async (args: string[]): Promise<string[]> => {
    const r = await runKubectl(cluster, cluster.kubeconfigPath, [
      "apply",
      "--dry-run=server",
      ...args,
    ]);
    expect(r.code, r.stderr).to.equal(0);
    // Warnings, Pod Security's among them (jobhooks-system warns on "restricted"), are failures.
    expect(r.stderr).to.equal("");
    return dryRunIds(r.stdout);
  };

  it("kubectl apply -k manifests/ passes a server-side dry run, every object of the base listed", async () => {
    const ids = await dryRun(["-k", manifestsDir]);
    expect(ids).to.have.members(base().map(kubectlId));
    expect(ids).to.include.members([
      "namespace/jobhooks-system",
      "deployment.apps/jobhooks-controlplane",
      "deployment.apps/jobhooks-gateway",
      "mutatingwebhookconfiguration.admissionregistration.k8s.io/jobhooks",
      "service/k8s-job-webhook-service",
    ]);
  });

  it("every file in examples/ and rbac/ passes a server-side dry run on its own", async () => {
    const files = [...yamlIn("examples"), ...yamlIn("rbac")];
    expect(files.map((f) => relative(manifestsDir, f))).to.include.members([
      "examples/injected-job.yaml",
      "examples/injected-cronjob.yaml",
      "examples/annotated-job.yaml",
      "examples/annotated-cronjob.yaml",
      "examples/cluster-webhook-chat.yaml",
      "examples/webhook-with-secret.yaml",
      "rbac/controlplane.yaml",
      "rbac/secrets.yaml",
    ]);
    for (const file of files) {
      expect(await dryRun(["-f", file]), file).to.have.members(readObjects(file).map(kubectlId));
    }
  });

  describe("the controlplane's ServiceAccount", () => {
    const can = (...args: string[]): Promise<string> => canI(cluster, controlplane, ...args);

    it("may do what the code needs", async () => {
      for (const args of [
        ["list", "jobs.batch", "--all-namespaces"],
        ["watch", "jobs.batch", "--all-namespaces"],
        ["list", "cronjobs.batch", "--all-namespaces"],
        ["watch", "cronjobs.batch", "--all-namespaces"],
        ["patch", "jobs.batch", "-n", "default"],
        ["list", "pods", "--all-namespaces"],
        ["patch", "pods", "-n", "default"],
        ["create", "events.events.k8s.io", "-n", "default"],
        ["create", "tokenreviews.authentication.k8s.io"],
        ["create", "subjectaccessreviews.authorization.k8s.io"],
        ["patch", "mutatingwebhookconfigurations.admissionregistration.k8s.io/jobhooks"],
        ["watch", "mutatingwebhookconfigurations.admissionregistration.k8s.io/jobhooks"],
        ["list", "webhooks.jobhooks.dev", "--all-namespaces"],
        ["watch", "webhooks.jobhooks.dev", "--all-namespaces"],
        ["list", "clusterwebhooks.jobhooks.dev"],
        ["watch", "clusterwebhooks.jobhooks.dev"],
        ["patch", "webhooks.jobhooks.dev", "--subresource=status", "-n", "default"],
        ["patch", "clusterwebhooks.jobhooks.dev", "--subresource=status"],
        ["get", "secrets", "-n", CONTROLPLANE_NAMESPACE],
      ]) {
        expect(await can(...args), args.join(" ")).to.equal("yes");
      }
    });

    it("may not do more", async () => {
      for (const args of [
        ["list", "secrets", "-n", CONTROLPLANE_NAMESPACE],
        ["watch", "secrets", "-n", CONTROLPLANE_NAMESPACE],
        ["get", "secrets", "-n", "default"],
        ["list", "secrets", "--all-namespaces"],
        ["create", "pods", "-n", "default"],
        ["get", "pods", "-n", "default"],
        ["delete", "pods", "-n", "default"],
        ["create", "pods/eviction", "-n", "default"],
        ["get", "jobs.batch", "-n", "default"],
        ["update", "jobs.batch", "-n", "default"],
        ["delete", "jobs.batch", "-n", "default"],
        ["create", "jobs.batch", "-n", "default"],
        ["create", "serviceaccounts/token", "-n", "default"],
        ["patch", "events.events.k8s.io", "-n", "default"],
        ["delete", "events.events.k8s.io", "-n", "default"],
        ["get", "mutatingwebhookconfigurations.admissionregistration.k8s.io/jobhooks"],
        ["patch", "mutatingwebhookconfigurations.admissionregistration.k8s.io/other"],
        ["create", "mutatingwebhookconfigurations.admissionregistration.k8s.io"],
        ["delete", "mutatingwebhookconfigurations.admissionregistration.k8s.io/jobhooks"],
        ["get", "cronjobs.batch", "-n", "default"],
        ["patch", "cronjobs.batch", "-n", "default"],
        // The spec of a Webhook is its owner's; the controlplane writes status only.
        ["get", "webhooks.jobhooks.dev", "-n", "default"],
        ["create", "webhooks.jobhooks.dev", "-n", "default"],
        ["patch", "webhooks.jobhooks.dev", "-n", "default"],
        ["update", "webhooks.jobhooks.dev", "-n", "default"],
        ["delete", "webhooks.jobhooks.dev", "-n", "default"],
        ["update", "webhooks.jobhooks.dev", "--subresource=status", "-n", "default"],
        ["get", "clusterwebhooks.jobhooks.dev"],
        ["patch", "clusterwebhooks.jobhooks.dev"],
        ["delete", "clusterwebhooks.jobhooks.dev"],
        ["create", "customresourcedefinitions.apiextensions.k8s.io"],
        ["impersonate", "serviceaccounts", "-n", "default"],
        ["*", "*"],
      ]) {
        expect(await can(...args), args.join(" ")).to.equal("no");
      }
    });

    it("is listed with no resource beyond its role and the ones every account has", async () => {
      const r = await runKubectl(cluster, controlplane, ["auth", "can-i", "--list"]);
      expect(r.code, r.stderr).to.equal(0);
      const resources = r.stdout
        .split("\n")
        .slice(1)
        .map((line) => /^(\S+)\s/.exec(line)?.[1])
        .filter((name) => name !== undefined);
      expect(resources).to.have.members([
        "jobs.batch",
        "pods",
        "events.events.k8s.io",
        "tokenreviews.authentication.k8s.io",
        "subjectaccessreviews.authorization.k8s.io",
        "mutatingwebhookconfigurations.admissionregistration.k8s.io",
        "cronjobs.batch",
        "webhooks.jobhooks.dev",
        "clusterwebhooks.jobhooks.dev",
        "webhooks.jobhooks.dev/status",
        "clusterwebhooks.jobhooks.dev/status",
        // system:basic-user, bound to every authenticated user
        "selfsubjectreviews.authentication.k8s.io",
        "selfsubjectaccessreviews.authorization.k8s.io",
        "selfsubjectrulesreviews.authorization.k8s.io",
      ]);
      // Run in namespace default, which granted it no Secret.
      expect(r.stdout).to.not.match(/secret/i);
    });

    it("is listed, in jobhooks-system, with the right to get Secrets and no other on them", async () => {
      const secretLines = await listedSecretRights(cluster, controlplane, CONTROLPLANE_NAMESPACE);
      expect(secretLines).to.deep.equal(["secrets [] [] [get]"]);
    });
  });
});
