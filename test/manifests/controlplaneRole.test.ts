import { expect } from "chai";
import { join } from "node:path";
import { manifestsDir, readObjects } from "../support/manifests.js";
import { commentedRules, ruleCommentProblems } from "../support/ruleComments.js";

const ROLE_FILE = join(manifestsDir, "rbac", "controlplane.yaml");
const ROLE = "jobhooks-controlplane";

// The controlplane's rights, one rule per code path. Adding a right is a change here too, and a
// comment in the YAML that says which code needs it.
const EXPECTED_RULES = [
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["list", "watch"] },
  { apiGroups: ["batch"], resources: ["cronjobs"], verbs: ["list", "watch"] },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["patch"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["patch"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
  { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
  { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
  {
    apiGroups: ["admissionregistration.k8s.io"],
    resources: ["mutatingwebhookconfigurations"],
    resourceNames: ["jobhooks"],
    verbs: ["list", "watch", "patch"],
  },
  {
    apiGroups: ["jobhooks.dev"],
    resources: ["webhooks", "clusterwebhooks"],
    verbs: ["list", "watch"],
  },
  {
    apiGroups: ["jobhooks.dev"],
    resources: ["webhooks/status", "clusterwebhooks/status"],
    verbs: ["patch"],
  },
];

describe("the controlplane's ClusterRole (manifests/rbac/controlplane.yaml)", () => {
  it("has exactly the expected rules", () => {
    expect(commentedRules(ROLE_FILE, "ClusterRole", ROLE).map((r) => r.rule)).to.deep.equal(
      EXPECTED_RULES,
    );
  });

  it("names, above each rule, the file and the function or class that needs it", () => {
    expect(ruleCommentProblems(ROLE_FILE, "ClusterRole", ROLE)).to.deep.equal([]);
  });

  it("is bound to the controlplane's ServiceAccount and nothing else", () => {
    const binding = readObjects(ROLE_FILE).find((o) => o.kind === "ClusterRoleBinding");
    expect(binding).to.deep.include({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: ROLE },
      subjects: [
        { kind: "ServiceAccount", name: "jobhooks-controlplane", namespace: "jobhooks-system" },
      ],
    });
  });
});
