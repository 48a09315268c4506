import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNode, isSeq, parseAllDocuments } from "yaml";
import { repoRoot } from "../cluster/paths.js";

interface CommentedRule {
  rule: unknown;
  comment: string;
}

/** The rules of the role `kind`/`name` in `file`, each with the comment above it. */
export function commentedRules(file: string, kind: string, name: string): CommentedRule[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  const role = docs.find((d) => d.get("kind") === kind && d.getIn(["metadata", "name"]) === name);
  const rules = role?.get("rules", true);
  if (!isSeq(rules)) throw new Error(`${file}: no ${kind} ${name} with a list of rules`);
  return rules.items.map((item, i) => {
    if (!isNode(item)) throw new Error(`${file}: rule ${i} is not a YAML node`);
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

/**
 * What is wrong with the comments above the role's rules, one line each (none: all is well).
 * Each must start with the file of the code that needs the rule and the names in that file,
 * `controlplane/x/File.ts (Class.method, fn): why`; the file must exist and have those names.
 */
export function ruleCommentProblems(file: string, kind: string, name: string): string[] {
  return commentedRules(file, kind, name).flatMap(({ rule, comment }) => {
    const what = `the comment above ${JSON.stringify(rule)}`;
    const path = codePath(comment);
    if (!path) return [`${what} must start "path/File.ts (Name, …)": ${comment}`];
    const full = join(repoRoot, path.file);
    if (!existsSync(full)) return [`${what} names ${path.file}, which does not exist`];
    const text = readFileSync(full, "utf8");
    return path.names.flatMap((n) =>
      n
        .split(".")
        .filter((part) => !new RegExp(`\\b${part.replace(/\$/g, "\\$")}\\b`).test(text))
        .map((part) => `${what}: no ${part} (of ${n}) in ${path.file}`),
    );
  });
}
