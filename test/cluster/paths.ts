import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root: the nearest folder above this module with a package.json. */
export const repoRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** Sources of the cluster harness that are not compiled (build.sh, stages/). */
export const clusterSourceDir: string = join(repoRoot, "test", "cluster");

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
