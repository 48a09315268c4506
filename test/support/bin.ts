import { join } from "node:path";
import { repoRoot } from "../cluster/paths.js";

/** The `jobhooks` command as it ships: the bundle `npm run build` writes (build/bundle.ts). */
export const JOBHOOKS_BIN = join(repoRoot, "dist", "bin", "jobhooks.js");
