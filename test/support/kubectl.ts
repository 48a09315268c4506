import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import type { TestCluster } from "../cluster/TestCluster.js";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the kubectl built with the cluster as the user of `kubeconfig`, and answers its exit code
 * and both outputs instead of failing on a non-zero exit: `auth can-i` says "no" with exit 1,
 * and the apiserver's warnings go to stderr. `input` is its stdin (for `-f -`).
 */
export function runKubectl(
  cluster: TestCluster,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      join(cluster.binDir, "kubectl"),
      [`--kubeconfig=${kubeconfig}`, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== "number") reject(err ?? new Error("kubectl: no exit code"));
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? "");
  });
}

/** `kubectl auth can-i …` as the user of `kubeconfig`: "yes" or "no". */
export async function canI(
  cluster: TestCluster,
  kubeconfig: string,
  ...args: string[]
): Promise<string> {
  const r = await runKubectl(cluster, kubeconfig, ["auth", "can-i", ...args]);
  expect(r.code, `can-i ${args.join(" ")}: ${r.stderr}`).to.be.oneOf([0, 1]);
  return r.stdout.trim();
}

/**
 * The Secret lines of `kubectl auth can-i --list -n <ns>` as the user of `kubeconfig`, each with
 * its fields single-spaced and its verbs sorted: the apiserver merges the verbs of several Roles
 * in no fixed order ("[get create]" in one run, "[create get]" in the next).
 */
export async function listedSecretRights(
  cluster: TestCluster,
  kubeconfig: string,
  namespace: string,
): Promise<string[]> {
  const r = await runKubectl(cluster, kubeconfig, ["auth", "can-i", "--list", "-n", namespace]);
  expect(r.code, r.stderr).to.equal(0);
  return r.stdout
    .split("\n")
    .filter((line) => /^secrets\s/.test(line))
    .map((line) =>
      line
        .split(/\s+/)
        .filter((f) => f !== "")
        .join(" ")
        .replace(/\[([^\]]*)\]$/, (_, verbs: string) => `[${verbs.split(" ").sort().join(" ")}]`),
    );
}
