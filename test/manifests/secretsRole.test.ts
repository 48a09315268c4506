import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import {
  CONTROLPLANE_ACCOUNT,
  CONTROLPLANE_NAMESPACE,
  controlplaneKubeconfig,
} from "../support/controlplaneAccount.js";
import { canI, runKubectl } from "../support/kubectl.js";
import {
  kustomizationResources,
  manifestsDir,
  readObjects,
  type KubeObject,
} from "../support/manifests.js";
import { commentedRules, ruleCommentProblems } from "../support/ruleComments.js";

const SECRETS_FILE = join(manifestsDir, "rbac", "secrets.yaml");
const EXAMPLE = join(manifestsDir, "examples", "webhook-with-secret.yaml");
const OWN = "jobhooks-controlplane-secrets";
const GRANTABLE = "jobhooks-webhook-secrets";
const CONTROLPLANE_SUBJECTS = [
  { kind: "ServiceAccount", name: CONTROLPLANE_ACCOUNT, namespace: CONTROLPLANE_NAMESPACE },
];

// Get by name, which is all a signing secret needs: never list or watch, so the controlplane
// reads no Secret that no Webhook names.
const SECRET_GET = [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }];

interface Binding {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects?: unknown[];
}

const bindings = (objects: KubeObject[]): Binding[] =>
  objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") as never[];
const haFiles = (): string[] =>
  readdirSync(join(manifestsDir, "ha"))
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .map((f) => join(manifestsDir, "ha", f));

describe("the Secrets the controlplane may read (manifests/rbac/secrets.yaml)", () => {
  it("gets Secrets of jobhooks-system by name (a ClusterWebhook's), and may not list or watch them", () => {
    const [role] = readObjects(SECRETS_FILE).filter((o) => o.kind === "Role");
    expect(role?.metadata).to.deep.include({ name: OWN, namespace: CONTROLPLANE_NAMESPACE });
    expect(commentedRules(SECRETS_FILE, "Role", OWN).map((r) => r.rule)).to.deep.equal(SECRET_GET);
  });

  it("offers the same in other namespaces as a ClusterRole, which a namespace grants", () => {
    expect(commentedRules(SECRETS_FILE, "ClusterRole", GRANTABLE).map((r) => r.rule)).to.deep.equal(
      SECRET_GET,
    );
    expect(readObjects(SECRETS_FILE).map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal([
      `Role/${OWN}`,
      `RoleBinding/${OWN}`,
      `ClusterRole/${GRANTABLE}`,
    ]);
  });

  it("names, above each rule, the file and the function or class that needs it", () => {
    expect([
      ...ruleCommentProblems(SECRETS_FILE, "Role", OWN),
      ...ruleCommentProblems(SECRETS_FILE, "ClusterRole", GRANTABLE),
    ]).to.deep.equal([]);
  });

  it("binds the Role to the controlplane's ServiceAccount, in jobhooks-system", () => {
    const own = bindings(readObjects(SECRETS_FILE));
    expect(own).to.have.length(1);
    expect(own[0]).to.deep.include({
      kind: "RoleBinding",
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: OWN },
      subjects: CONTROLPLANE_SUBJECTS,
    });
    expect(own[0]?.metadata.namespace).to.equal(CONTROLPLANE_NAMESPACE);
  });

  it("binds the ClusterRole nowhere in the install; the example's RoleBinding grants it to the controlplane alone", () => {
    const installed = [...kustomizationResources(), ...haFiles()].flatMap(readObjects);
    expect(bindings(installed).filter((b) => b.roleRef.name === GRANTABLE)).to.deep.equal([]);
    const example = bindings(readObjects(EXAMPLE));
    expect(example).to.have.length(1);
    expect(example[0]).to.deep.include({
      kind: "RoleBinding",
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: GRANTABLE },
      subjects: CONTROLPLANE_SUBJECTS,
    });
    // No namespace: it binds in the namespace it is applied to (kubectl apply -n).
    expect(example[0]?.metadata.namespace).to.equal(undefined);
  });

  describe("as the apiserver answers @cluster", function () {
    this.timeout(60_000);
    let cluster: TestCluster;
    let controlplane: string;
    let granting: string;
    let other: string;
    const can = (...args: string[]): Promise<string> => canI(cluster, controlplane, ...args);

    before(async function () {
      this.timeout(5 * 60_000);
      cluster = await sharedCluster();
      controlplane = await controlplaneKubeconfig(cluster);
      granting = await createTestNamespace(cluster, "secrets-granted");
      other = await createTestNamespace(cluster, "secrets-not-granted");
      // The authorizer sees a binding a moment after it is stored, or deleted: the HA
      // component's Role (create Secrets in jobhooks-system), which other tests apply and
      // delete again, must be gone.
      await waitFor("the Role in effect, the HA component's gone", async () =>
        (await can("get", "secrets", "-n", CONTROLPLANE_NAMESPACE)) === "yes" &&
        (await can("create", "secrets", "-n", CONTROLPLANE_NAMESPACE)) === "no"
          ? true
          : undefined,
      );
    });

    after(async function () {
      this.timeout(60_000);
      await cluster.kubectl(["delete", "namespace", granting, other, "--wait=false"]);
    });

    it("lets the controlplane get any Secret of jobhooks-system, and none of another namespace", async () => {
      for (const args of [
        ["get", "secrets", "-n", CONTROLPLANE_NAMESPACE],
        ["get", "secrets/cluster-chat-signing", "-n", CONTROLPLANE_NAMESPACE],
      ]) {
        expect(await can(...args), args.join(" ")).to.equal("yes");
      }
      for (const ns of [granting, other, "default"]) {
        expect(await can("get", "secrets", "-n", ns), ns).to.equal("no");
      }
    });

    it("lets it get the Secrets of a namespace once that one applies the example's RoleBinding, there only", async () => {
      const r = await runKubectl(cluster, cluster.kubeconfigPath, [
        "apply",
        "-n",
        granting,
        "-f",
        EXAMPLE,
      ]);
      expect(r.code, r.stderr).to.equal(0);
      await waitFor("the example's RoleBinding in effect", async () =>
        (await can("get", "secrets/build-alerts-signing", "-n", granting)) === "yes"
          ? true
          : undefined,
      );
      expect(await can("get", "secrets/anything", "-n", granting)).to.equal("yes");
      expect(await can("get", "secrets", "-n", other)).to.equal("no");
      expect(await can("get", "secrets", "-n", "default")).to.equal("no");
    });

    it("never lets it list, watch or change a Secret, in a namespace that granted it or not", async () => {
      for (const where of [
        ["-n", CONTROLPLANE_NAMESPACE],
        ["-n", granting],
        ["-n", other],
        ["--all-namespaces"],
      ]) {
        for (const verb of [
          "list",
          "watch",
          "create",
          "update",
          "patch",
          "delete",
          "deletecollection",
        ]) {
          expect(
            await can(verb, "secrets", ...where),
            `${verb} secrets ${where.join(" ")}`,
          ).to.equal("no");
        }
      }
    });
  });
});
