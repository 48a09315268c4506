import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { TestCluster } from "../cluster/TestCluster.js";

/** `kubectl apply` of objects as the cluster's admin, as a user would from a file. */
export async function kubectlApply(cluster: TestCluster, objects: object[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-apply-"));
  try {
    const file = join(dir, "objects.yaml");
    writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
    return await cluster.kubectl(["apply", "-f", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
