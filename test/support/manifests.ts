import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parseDocument } from "yaml";
import { repoRoot } from "../cluster/paths.js";

export const manifestsDir = join(repoRoot, "manifests");

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

/** Every object in a YAML file (a file may hold several documents). */
export function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? ""}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

/** The files kustomization.yaml lists, as absolute paths. */
export function kustomizationResources(): string[] {
  const k = parseDocument(
    readFileSync(join(manifestsDir, "kustomization.yaml"), "utf8"),
  ).toJS() as {
    resources?: string[];
  };
  return (k.resources ?? []).map((r) => join(manifestsDir, r));
}

/** How kubectl names an object in its output: `deployment.apps/jobhooks-gateway`. */
export function kubectlId(o: KubeObject): string {
  const slash = o.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : `.${o.apiVersion.slice(0, slash)}`;
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
}

/**
 * The objects `kubectl apply --dry-run=server` reported, by id, failing on any other line:
 * `deployment.apps/x created (server dry run)` (or configured, unchanged).
 */
export function dryRunIds(stdout: string): string[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => {
      const m = /^(\S+) (?:created|configured|unchanged) \(server dry run\)$/.exec(line);
      if (!m?.[1]) throw new Error(`unexpected kubectl output line: ${line}`);
      return m[1];
    });
}
