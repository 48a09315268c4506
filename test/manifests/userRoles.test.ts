import { expect } from "chai";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { controlplaneKubeconfig } from "../support/controlplaneAccount.js";
import { canI } from "../support/kubectl.js";
import { manifestsDir, readObjects } from "../support/manifests.js";

const ROLES_FILE = join(manifestsDir, "rbac", "user-roles.yaml");
const ALL_VERBS = [
  "create",
  "get",
  "list",
  "watch",
  "update",
  "patch",
  "delete",
  "deletecollection",
];
const AGGREGATE = "rbac.authorization.k8s.io/aggregate-to-";

interface Role {
  metadata: { name: string; labels?: Record<string, string> };
  rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

const role = (name: string): Role => {
  const found = readObjects(ROLES_FILE).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`${ROLES_FILE}: no ClusterRole ${name}`);
  return found as unknown as Role;
};
const aggregatedTo = (name: string): string[] =>
  Object.keys(role(name).metadata.labels ?? {})
    .filter((l) => l.startsWith(AGGREGATE))
    .map((l) => l.slice(AGGREGATE.length));

describe("the roles for the API (manifests/rbac/user-roles.yaml)", () => {
  it("lets editors send deliveries again (update), and viewers only read", () => {
    const verbs = (name: string): string[] => role(name).rules.flatMap((r) => r.verbs);
    expect(verbs("jobhooks-webhook-editor")).to.include("update"); // recover
    expect(verbs("jobhooks-watcher-editor")).to.include("update"); // redeliver
    expect(verbs("jobhooks-webhook-viewer")).to.deep.equal(["get", "list"]);
    expect(verbs("jobhooks-watcher-viewer")).to.deep.equal(["get", "list"]);
  });
});

describe("the roles for Webhook and ClusterWebhook objects (manifests/rbac/user-roles.yaml)", () => {
  it("lets the API's webhook editors enable webhooks and rotate secrets (update), viewers not", () => {
    const [rule, ...more] = role("jobhooks-webhook-editor").rules;
    expect(more).to.deep.equal([]);
    expect(rule).to.deep.include({ apiGroups: ["jobhooks.dev"], resources: ["webhooks"] });
    expect(rule?.verbs).to.have.members(["create", "get", "list", "delete", "update"]);
    expect(role("jobhooks-webhook-viewer").rules[0]?.verbs).to.not.include("update");
  });

  it("lets namespace admins and editors manage Webhooks, and viewers see them", () => {
    expect(role("jobhooks-webhook-object-editor").rules).to.deep.equal([
      { apiGroups: ["jobhooks.dev"], resources: ["webhooks"], verbs: ALL_VERBS },
    ]);
    expect(aggregatedTo("jobhooks-webhook-object-editor")).to.have.members(["admin", "edit"]);
    expect(role("jobhooks-webhook-object-viewer").rules).to.deep.equal([
      {
        apiGroups: ["jobhooks.dev"],
        resources: ["webhooks", "webhooks/status"],
        verbs: ["get", "list", "watch"],
      },
    ]);
    expect(aggregatedTo("jobhooks-webhook-object-viewer")).to.deep.equal(["view"]);
  });

  it("keeps ClusterWebhooks out of the aggregated roles, for cluster admins to bind", () => {
    expect(role("jobhooks-clusterwebhook-editor").rules).to.deep.equal([
      { apiGroups: ["jobhooks.dev"], resources: ["clusterwebhooks"], verbs: ALL_VERBS },
    ]);
    expect(role("jobhooks-clusterwebhook-viewer").rules).to.deep.equal([
      {
        apiGroups: ["jobhooks.dev"],
        resources: ["clusterwebhooks", "clusterwebhooks/status"],
        verbs: ["get", "list", "watch"],
      },
    ]);
    for (const name of ["jobhooks-clusterwebhook-editor", "jobhooks-clusterwebhook-viewer"]) {
      expect(aggregatedTo(name), name).to.deep.equal([]);
    }
  });

  describe("as the apiserver answers @cluster", function () {
    this.timeout(60_000);
    let cluster: TestCluster;
    let ns: string;
    let other: string;
    const clusterBinding = `jobhooks-user-roles-test-${process.pid}`;
    const as = (name: string): string => `--as=system:serviceaccount:${ns}:${name}`;
    const can = (who: string, ...args: string[]): Promise<string> =>
      canI(cluster, cluster.kubeconfigPath, as(who), ...args);

    before(async function () {
      this.timeout(5 * 60_000);
      cluster = await sharedCluster();
      // The CRDs, as in an install: kubectl auth can-i finds the resources by discovery.
      await controlplaneKubeconfig(cluster);
      await cluster.kubectl(["apply", "-f", ROLES_FILE]);
      ns = await createTestNamespace(cluster, "user-roles");
      other = await createTestNamespace(cluster, "user-roles-other");
      // Kubernetes' own edit and view, in one namespace; the ClusterWebhook editor cluster-wide.
      for (const [who, clusterRole] of [
        ["editor", "edit"],
        ["viewer", "view"],
      ] as const) {
        await cluster.kubectl([
          ...["create", "rolebinding", who, "-n", ns, `--clusterrole=${clusterRole}`],
          `--serviceaccount=${ns}:${who}`,
        ]);
      }
      await cluster.kubectl([
        ...["create", "clusterrolebinding", clusterBinding],
        ...["--clusterrole=jobhooks-clusterwebhook-editor", `--serviceaccount=${ns}:operator`],
      ]);
      // The controller-manager folds the labelled roles into edit and view a moment later.
      await waitFor("the aggregated roles", async () =>
        (await can("editor", "create", "webhooks.jobhooks.dev", "-n", ns)) === "yes" &&
        (await can("viewer", "list", "webhooks.jobhooks.dev", "-n", ns)) === "yes" &&
        (await can("operator", "create", "clusterwebhooks.jobhooks.dev")) === "yes"
          ? true
          : undefined,
      );
    });

    after(async function () {
      this.timeout(60_000);
      await cluster.kubectl(["delete", "clusterrolebinding", clusterBinding, "--ignore-not-found"]);
      await cluster.kubectl(["delete", "namespace", ns, other, "--wait=false"]);
    });

    it("lets a namespace's editors manage its Webhooks, and no other namespace's, no ClusterWebhook, no API webhook", async () => {
      for (const verb of ALL_VERBS) {
        expect(await can("editor", verb, "webhooks.jobhooks.dev", "-n", ns), verb).to.equal("yes");
      }
      for (const args of [
        ["create", "webhooks.jobhooks.dev", "-n", other],
        ["create", "clusterwebhooks.jobhooks.dev"],
        ["get", "clusterwebhooks.jobhooks.dev"],
        // The API's webhooks: the controlplane asks in no namespace (TokenReviewAuth).
        ["create", "webhooks.jobhooks.dev", "--all-namespaces"],
        ["patch", "webhooks.jobhooks.dev", "--subresource=status", "-n", ns],
      ]) {
        expect(await can("editor", ...args), args.join(" ")).to.equal("no");
      }
    });

    it("lets a namespace's viewers read its Webhooks and change none", async () => {
      for (const verb of ["get", "list", "watch"]) {
        expect(await can("viewer", verb, "webhooks.jobhooks.dev", "-n", ns), verb).to.equal("yes");
      }
      for (const verb of ["create", "update", "patch", "delete"]) {
        expect(await can("viewer", verb, "webhooks.jobhooks.dev", "-n", ns), verb).to.equal("no");
      }
    });

    it("lets the holder of jobhooks-clusterwebhook-editor manage ClusterWebhooks and nothing else", async () => {
      for (const verb of ALL_VERBS) {
        expect(await can("operator", verb, "clusterwebhooks.jobhooks.dev"), verb).to.equal("yes");
      }
      for (const args of [
        ["create", "webhooks.jobhooks.dev", "-n", ns],
        ["patch", "clusterwebhooks.jobhooks.dev", "--subresource=status"],
        ["get", "secrets", "-n", "jobhooks-system"],
      ]) {
        expect(await can("operator", ...args), args.join(" ")).to.equal("no");
      }
    });
  });
});
