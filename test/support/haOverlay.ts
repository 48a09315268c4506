import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { runKubectl } from "./kubectl.js";
import { manifestsDir, type KubeObject } from "./manifests.js";

const OVERLAY_FILE = "# jobhooks-ha/kustomization.yaml";

/**
 * The overlay of the HA component in docs/install.md, "High availability (PostgreSQL)": its yaml
 * blocks whose first line names jobhooks-ha/kustomization.yaml, in order. The first is the
 * overlay, the second adds the patch that mounts the PostgreSQL CA.
 */
export function docsOverlayBlocks(): string[] {
  const page = readFileSync(join(repoRoot, "docs", "install.md"), "utf8");
  const blocks = [...page.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    (body ?? "").replace(new RegExp(`^${indent ?? ""}`, "gm"), ""),
  );
  return blocks.filter((b) => b.startsWith(OVERLAY_FILE));
}

/**
 * An overlay folder under `parent` holding `kustomization` (made of docs/install.md's blocks), its
 * `../manifests` pointed at this checkout's: kustomize wants paths relative to the overlay.
 */
export async function writeOverlay(parent: string, kustomization: string): Promise<string> {
  const dir = await mkdtemp(join(parent, "jobhooks-ha-"));
  const text = kustomization.replaceAll("../manifests", relative(dir, manifestsDir));
  await writeFile(join(dir, "kustomization.yaml"), text);
  return dir;
}

/** `kubectl kustomize dir`, with the kubectl of the cluster, parsed into objects. */
export async function kustomize(cluster: TestCluster, dir: string): Promise<KubeObject[]> {
  const r = await runKubectl(cluster, cluster.kubeconfigPath, ["kustomize", dir]);
  if (r.code !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((doc) => doc.toJS() as KubeObject);
}
