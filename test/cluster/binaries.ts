import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { clusterSourceDir } from "./paths.js";

/**
 * Builds the cluster binaries, or finds them in the cache or KUBEBUILDER_ASSETS, and returns
 * their folder. build.sh's progress lines are passed to `progress` as they come.
 */
export async function ensureBinaries(progress: (line: string) => void): Promise<string> {
  const child = spawn("bash", [join(clusterSourceDir, "build.sh")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => stdout.push(line));
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderr.push(line);
    if (line.startsWith("[cluster-build")) progress(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  const bin = stdout.at(-1);
  if (code !== 0 || bin === undefined) {
    throw new Error(
      `test/cluster/build.sh failed (exit ${code}):\n${stderr.slice(-30).join("\n")}`,
    );
  }
  return bin;
}
