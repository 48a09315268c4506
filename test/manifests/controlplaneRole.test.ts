import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNode, isSeq, parseAllDocuments } from "yaml";
import { repoRoot } from "../cluster/paths.js";
import { manifestsDir, readObjects } from "../support/manifests.js";

const ROLE_FILE = join(manifestsDir, "rbac", "controlplane.yaml");

// The controlplane's rights, one rule per code path. Adding a right is a change here too, and a
// comment in the YAML that says which code needs it.
const EXPECTED_RULES = [
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["list", "watch"] },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["patch"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"] },
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
];

interface CommentedRule {
  rule: unknown;
  comment: string;
}

function commentedRules(): CommentedRule[] {
  const docs = parseAllDocuments(readFileSync(ROLE_FILE, "utf8"));
  const role = docs.find((d) => d.get("kind") === "ClusterRole");
  const rules = role?.get("rules", true);
  if (!isSeq(rules)) throw new Error(`${ROLE_FILE}: no ClusterRole with a list of rules`);
  return rules.items.map((item, i) => {
    if (!isNode(item)) throw new Error(`${ROLE_FILE}: rule ${i} is not a YAML node`);
    // The comment above the first item belongs to the list, as the parser sees it.
    const comment = item.commentBefore ?? (i === 0 ? rules.commentBefore : undefined);
    return { rule: item.toJSON() as unknown, comment: comment ?? "" };
  });
}

/** `controlplane/x/File.ts (Class.method, fn): why` → the file and the names it gives. */
function codePath(comment: string): { file: string; names: string[] } | undefined {
  const m = /^\s*([\w./-]+\.ts) \(([^)]+)\)/.exec(comment);
  if (!m?.[1] || !m[2]) return undefined;
  return { file: m[1], names: m[2].split(/,\s*/) };
}

describe("the controlplane's ClusterRole (manifests/rbac/controlplane.yaml)", () => {
  it("has exactly the expected rules", () => {
    expect(commentedRules().map((r) => r.rule)).to.deep.equal(EXPECTED_RULES);
  });

  it("names, above each rule, the file and the function or class that needs it", () => {
    for (const { rule, comment } of commentedRules()) {
      const what = `the comment above ${JSON.stringify(rule)}`;
      const path = codePath(comment);
      expect(path, `${what} must start "path/File.ts (Name, …)": ${comment}`).to.not.equal(
        undefined,
      );
      const { file, names } = path!;
      const full = join(repoRoot, file);
      expect(existsSync(full), `${what} names ${file}, which does not exist`).to.equal(true);
      const source = readFileSync(full, "utf8");
      for (const name of names) {
        for (const part of name.split(".")) {
          expect(source, `${what}: ${part} (of ${name}) in ${file}`).to.match(
            new RegExp(`\\b${part.replace(/\$/g, "\\$")}\\b`),
          );
        }
      }
    }
  });

  it("is bound to the controlplane's ServiceAccount and nothing else", () => {
    const binding = readObjects(ROLE_FILE).find((o) => o.kind === "ClusterRoleBinding");
    expect(binding).to.deep.include({
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "jobhooks-controlplane",
      },
      subjects: [
        { kind: "ServiceAccount", name: "jobhooks-controlplane", namespace: "jobhooks-system" },
      ],
    });
  });
});
