import { expect } from "chai";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { sharedCluster } from "../support/cluster.js";
import {
  CONTROLPLANE_ACCOUNT,
  CONTROLPLANE_NAMESPACE,
  controlplaneKubeconfig,
} from "../support/controlplaneAccount.js";
import { canI, listedSecretRights } from "../support/kubectl.js";
import { manifestsDir, readObjects } from "../support/manifests.js";

const ROLE_FILE = join(manifestsDir, "ha", "rbac.yaml");
const NAME = "jobhooks-controlplane-webhook-ca";
const CA_SECRET = "jobhooks-webhook-ca";

// What --self-signed-ca-secret needs, and no more: read the one Secret, create it once.
const EXPECTED_RULES = [
  { apiGroups: [""], resources: ["secrets"], resourceNames: [CA_SECRET], verbs: ["get"] },
  { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
];

const object = (kind: string): Record<string, unknown> => {
  const found = readObjects(ROLE_FILE).find((o) => o.kind === kind);
  if (!found) throw new Error(`${ROLE_FILE}: no ${kind}`);
  return found;
};

describe("the HA component's Role for the shared CA (manifests/ha/rbac.yaml)", () => {
  it("has exactly the expected rules, in jobhooks-system", () => {
    expect(object("Role")).to.deep.include({
      metadata: {
        name: NAME,
        namespace: CONTROLPLANE_NAMESPACE,
        labels: {
          "app.kubernetes.io/name": "jobhooks",
          "app.kubernetes.io/component": "controlplane",
        },
      },
      rules: EXPECTED_RULES,
    });
    expect(readObjects(ROLE_FILE).map((o) => o.kind)).to.deep.equal(["Role", "RoleBinding"]);
  });

  it("is bound, in jobhooks-system, to the controlplane's ServiceAccount and nothing else", () => {
    expect(object("RoleBinding")).to.deep.include({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NAME },
      subjects: [
        { kind: "ServiceAccount", name: CONTROLPLANE_ACCOUNT, namespace: CONTROLPLANE_NAMESPACE },
      ],
    });
    expect(object("RoleBinding")).to.have.nested.property(
      "metadata.namespace",
      CONTROLPLANE_NAMESPACE,
    );
  });

  describe("bound for real, as the apiserver answers @cluster", function () {
    this.timeout(60_000);
    let cluster: TestCluster;
    let controlplane: string;
    const can = (...args: string[]): Promise<string> => canI(cluster, controlplane, ...args);
    const inNs = ["-n", CONTROLPLANE_NAMESPACE];

    before(async function () {
      this.timeout(5 * 60_000);
      cluster = await sharedCluster();
      controlplane = await controlplaneKubeconfig(cluster);
      await cluster.kubectl(["apply", "-f", ROLE_FILE]);
      // The authorizer sees a new binding a moment after it is stored. (Its get is the base's
      // too, so create tells.)
      await waitFor("the Role in effect", async () =>
        (await can("create", "secrets", ...inNs)) === "yes" ? true : undefined,
      );
    });

    // Every other test runs the controlplane with the base's rights only.
    after(async function () {
      this.timeout(60_000);
      await cluster.kubectl(["delete", "--ignore-not-found", "-f", ROLE_FILE]);
    });

    it("lets the controlplane read jobhooks-webhook-ca and create Secrets in jobhooks-system", async () => {
      for (const args of [
        ["get", `secrets/${CA_SECRET}`, ...inNs],
        ["create", "secrets", ...inNs],
      ]) {
        expect(await can(...args), args.join(" ")).to.equal("yes");
      }
    });

    // Reading any Secret of jobhooks-system by name is the base's (rbac/secrets.yaml: a
    // ClusterWebhook's signing secret), so this Role's get adds nothing while that one is bound.
    it("lets it list, change or delete no Secret, and read or create none in other namespaces", async () => {
      for (const args of [
        ["list", "secrets", ...inNs],
        ["watch", "secrets", ...inNs],
        ["update", `secrets/${CA_SECRET}`, ...inNs],
        ["patch", `secrets/${CA_SECRET}`, ...inNs],
        ["delete", `secrets/${CA_SECRET}`, ...inNs],
        ["get", `secrets/${CA_SECRET}`, "-n", "default"],
        ["create", "secrets", "-n", "default"],
        ["list", "secrets", "--all-namespaces"],
        ["create", "configmaps", ...inNs],
        ["create", "leases.coordination.k8s.io", ...inNs],
      ]) {
        expect(await can(...args), args.join(" ")).to.equal("no");
      }
    });

    it("lists these two rights on Secrets in jobhooks-system beside the base's get, and none in default", async () => {
      const secretLines = (ns: string): Promise<string[]> =>
        listedSecretRights(cluster, controlplane, ns);
      expect(await secretLines(CONTROLPLANE_NAMESPACE)).to.have.members([
        `secrets [] [${CA_SECRET}] [get]`,
        "secrets [] [] [create get]",
      ]);
      expect(await secretLines("default")).to.deep.equal([]);
    });
  });
});
