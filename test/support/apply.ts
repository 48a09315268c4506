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

/**
 * Deletes every Webhook and ClusterWebhook of the cluster: a test that made some calls it when it
 * is done, since every controlplane started later mirrors all there are into its GET /webhooks.
 */
export async function deleteWebhookObjects(cluster: TestCluster): Promise<void> {
  await cluster.kubectl([
    "delete",
    "webhooks.jobhooks.dev,clusterwebhooks.jobhooks.dev",
    "--all",
    "--all-namespaces",
    "--wait=true",
  ]);
}
