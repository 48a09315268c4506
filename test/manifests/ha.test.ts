import type * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { sharedCluster } from "../support/cluster.js";
import { CONTROLPLANE_NAMESPACE, controlplaneKubeconfig } from "../support/controlplaneAccount.js";
import { docsOverlayBlocks, kustomize, writeOverlay } from "../support/haOverlay.js";
import { runKubectl } from "../support/kubectl.js";
import {
  dryRunIds,
  kubectlId,
  manifestsDir,
  readObjects,
  type KubeObject,
} from "../support/manifests.js";

const CONTROLPLANE = "jobhooks-controlplane";
const GATEWAY = "jobhooks-gateway";
const SQLITE_STORE = "--store=sqlite:/var/lib/jobhooks/jobhooks.db";
const CA_FLAG = "--self-signed-ca-secret=jobhooks-webhook-ca";

const deployment = (objects: KubeObject[], name: string): k8s.V1Deployment => {
  const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
  if (!d) throw new Error(`no Deployment ${name}`);
  return d;
};
const podSpec = (objects: KubeObject[], name: string): k8s.V1PodSpec => {
  const spec = deployment(objects, name).spec?.template.spec;
  if (!spec) throw new Error(`Deployment ${name} has no pod spec`);
  return spec;
};
const container = (objects: KubeObject[], name: string): k8s.V1Container => {
  const c = podSpec(objects, name).containers[0];
  if (!c) throw new Error(`Deployment ${name} has no container`);
  return c;
};
const budgets = (objects: KubeObject[]): k8s.V1PodDisruptionBudget[] =>
  objects.filter((o) => o.kind === "PodDisruptionBudget");

/** Whether a selector of matchLabels only (anything else fails the test) selects these labels. */
function selects(
  selector: k8s.V1LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  expect(selector?.matchExpressions, "a selector of matchLabels only").to.equal(undefined);
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

describe("the HA component manifests/ha, as docs/install.md's overlay uses it @cluster", function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let overlay: string;
  let base: KubeObject[];
  let ha: KubeObject[];
  let withCa: KubeObject[];

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    // The namespace, for the dry run below (a namespaced object is checked against it).
    await controlplaneKubeconfig(cluster);
    const blocks = docsOverlayBlocks();
    expect(blocks, "docs/install.md: the overlay, then its CA patch").to.have.length(2);
    const [plain = "", caPatch = ""] = blocks;
    overlay = await writeOverlay(cluster.dir, plain);
    base = await kustomize(cluster, manifestsDir);
    ha = await kustomize(cluster, overlay);
    withCa = await kustomize(cluster, await writeOverlay(cluster.dir, plain + caPatch));
  });

  it("keeps every object of the base but the SQLite volume's claim, and adds a Role, its binding and two budgets", () => {
    const claim = "persistentvolumeclaim/jobhooks-data";
    expect(base.map(kubectlId)).to.include(claim);
    expect(ha.map(kubectlId)).to.have.members([
      ...base.map(kubectlId).filter((id) => id !== claim),
      "role.rbac.authorization.k8s.io/jobhooks-controlplane-webhook-ca",
      "rolebinding.rbac.authorization.k8s.io/jobhooks-controlplane-webhook-ca",
      "poddisruptionbudget.policy/jobhooks-controlplane",
      "poddisruptionbudget.policy/jobhooks-gateway",
    ]);
  });

  it("leaves the base as it was: one replica, Recreate, SQLite on its volume", () => {
    const d = deployment(base, CONTROLPLANE);
    expect(d.spec?.replicas).to.equal(1);
    expect(d.spec?.strategy).to.deep.equal({ type: "Recreate" });
    expect(container(base, CONTROLPLANE).args).to.include(SQLITE_STORE).and.not.include(CA_FLAG);
    expect(podSpec(base, CONTROLPLANE).volumes?.map((v) => v.name)).to.deep.equal(["data", "tmp"]);
  });

  it("runs three controlplane replicas, updated one at a time with none unavailable", () => {
    const d = deployment(ha, CONTROLPLANE);
    expect(d.spec?.replicas).to.equal(3);
    expect(d.spec?.strategy).to.deep.equal({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
  });

  it("takes the store from the Secret jobhooks-store, with no SQLite volume and no fsGroup", () => {
    const c = container(ha, CONTROLPLANE);
    expect(c.env).to.deep.include({
      name: "JOBHOOKS_STORE",
      valueFrom: { secretKeyRef: { name: "jobhooks-store", key: "url" } },
    });
    expect(c.args?.filter((a) => a.startsWith("--store"))).to.deep.equal([]);
    expect(c.volumeMounts).to.deep.equal([{ name: "tmp", mountPath: "/tmp" }]);
    const spec = podSpec(ha, CONTROLPLANE);
    expect(spec.volumes).to.deep.equal([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
    const { fsGroup, ...rest } = podSpec(base, CONTROLPLANE).securityContext ?? {};
    expect(fsGroup).to.equal(65532);
    expect(spec.securityContext).to.deep.equal(rest);
  });

  it("shares the injector's CA through jobhooks-webhook-ca, its other args as in the base", () => {
    const args = [...(container(base, CONTROLPLANE).args ?? [])].filter((a) => a !== SQLITE_STORE);
    args.splice(args.indexOf("--self-signed") + 1, 0, CA_FLAG);
    expect(container(ha, CONTROLPLANE).args).to.deep.equal(args);
    // docs/install.md's image overlay replaces args/4; it must stay the sidecar's image here too.
    expect(args[4]).to.equal("--sidecar-image=jobhooks:0.1.0");
  });

  it("spreads each Deployment's pods over zones where it can and over nodes always", () => {
    for (const name of [CONTROLPLANE, GATEWAY]) {
      const selector = deployment(ha, name).spec?.selector;
      const constraints = podSpec(ha, name).topologySpreadConstraints ?? [];
      expect(constraints, name).to.deep.equal(
        [
          ["topology.kubernetes.io/zone", "ScheduleAnyway", {}],
          ["kubernetes.io/hostname", "DoNotSchedule", { nodeTaintsPolicy: "Honor" }],
        ].map(([topologyKey, whenUnsatisfiable, extra]) => ({
          topologyKey,
          whenUnsatisfiable,
          maxSkew: 1,
          labelSelector: selector,
          matchLabelKeys: ["pod-template-hash"],
          ...(extra as object),
        })),
      );
      expect(container(ha, name).lifecycle?.preStop, name).to.deep.equal({
        exec: { command: ["sleep", "5"] },
      });
    }
  });

  it("has one budget for each Deployment, which selects its pods and no others", () => {
    const all = budgets(ha);
    expect(all.map((b) => b.metadata?.name)).to.have.members([CONTROLPLANE, GATEWAY]);
    const deployments = [CONTROLPLANE, GATEWAY].map((name) => deployment(ha, name));
    for (const budget of all) {
      const selected = deployments.filter((d) =>
        selects(budget.spec?.selector, d.spec?.template.metadata?.labels ?? {}),
      );
      expect(selected.map((d) => d.metadata?.name)).to.deep.equal([budget.metadata?.name]);
      expect(budget.spec?.selector).to.deep.equal(selected[0]?.spec?.selector);
      expect(budget.metadata?.namespace).to.equal(CONTROLPLANE_NAMESPACE);
      expect(budget.spec?.maxUnavailable).to.equal(1);
      expect(budget.spec?.minAvailable).to.equal(undefined);
    }
  });

  it("keeps the base's ClusterRole and the gateway's replicas", () => {
    const role = (objects: KubeObject[]): KubeObject | undefined =>
      objects.find((o) => o.kind === "ClusterRole" && o.metadata.name === CONTROLPLANE);
    expect(role(ha)).to.deep.equal(role(base)).and.not.equal(undefined);
    expect(deployment(ha, GATEWAY).spec?.replicas).to.equal(2);
  });

  it("with docs/install.md's CA patch, mounts the CA where the example URL's sslrootcert reads it", () => {
    const [secret] = readObjects(join(manifestsDir, "examples", "store-secret.yaml"));
    const url = new URL((secret as unknown as { stringData: { url: string } }).stringData.url);
    expect(url.searchParams.get("sslmode")).to.equal("verify-full");
    const file = url.searchParams.get("sslrootcert") ?? "";
    expect(podSpec(withCa, CONTROLPLANE).volumes).to.deep.include({
      name: "pg-ca",
      secret: { secretName: "pg-ca", items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
    const mount = container(withCa, CONTROLPLANE).volumeMounts?.find((m) => m.name === "pg-ca");
    expect(mount).to.deep.equal({
      name: "pg-ca",
      mountPath: "/etc/jobhooks/pg-ca",
      readOnly: true,
    });
    expect(file).to.equal(`${mount?.mountPath}/ca.crt`);
  });

  it("passes a server-side dry run, every object listed, although the Secret jobhooks-store does not exist", async () => {
    const get = await runKubectl(cluster, cluster.kubeconfigPath, [
      ...["get", "secret/jobhooks-store", "-n", CONTROLPLANE_NAMESPACE],
    ]);
    expect(get.code).to.equal(1);
    expect(get.stderr).to.match(/NotFound/);
    const r = await runKubectl(cluster, cluster.kubeconfigPath, [
      ...["apply", "--dry-run=server", "-k", overlay],
    ]);
    expect(r.code, r.stderr).to.equal(0);
    // Warnings, Pod Security's among them, are failures, as for the base.
    expect(r.stderr).to.equal("");
    expect(dryRunIds(r.stdout)).to.have.members(ha.map(kubectlId));
  });
});
