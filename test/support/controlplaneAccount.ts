import * as k8s from "@kubernetes/client-node";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { TestCluster } from "../cluster/TestCluster.js";
import { manifestsDir, readObjects } from "./manifests.js";

export const CONTROLPLANE_NAMESPACE = "jobhooks-system";
export const CONTROLPLANE_ACCOUNT = "jobhooks-controlplane";

/**
 * The shipped files that make the controlplane's identity and rights, applied as they are, and
 * the CustomResourceDefinitions of the objects it watches.
 */
export const CONTROLPLANE_ACCESS_FILES: readonly string[] = [
  "namespace.yaml",
  "crds.yaml",
  "serviceaccounts.yaml",
  "rbac/controlplane.yaml",
  "rbac/secrets.yaml",
].map((f) => join(manifestsDir, f));

const TOKEN_SECONDS = 24 * 3600;
const kubeconfigs = new WeakMap<TestCluster, Promise<string>>();

/**
 * A kubeconfig whose user is the controlplane's ServiceAccount, with the rights
 * manifests/rbac/controlplane.yaml and rbac/secrets.yaml give it and nothing else: the
 * controlplane the tests run is the one `kubectl apply -k manifests/` installs, as far as the
 * apiserver can tell. Made once per cluster (the manifests applied for real, the Webhook and
 * ClusterWebhook kinds served, a token from TokenRequest), in the cluster's folder.
 */
export function controlplaneKubeconfig(cluster: TestCluster): Promise<string> {
  let path = kubeconfigs.get(cluster);
  if (!path) {
    path = writeControlplaneKubeconfig(cluster);
    kubeconfigs.set(cluster, path);
    // A failed attempt is not remembered: the next caller tries again.
    path.catch(() => kubeconfigs.delete(cluster));
  }
  return path;
}

/** The same, loaded: for tests that run controlplane code (JobWatch) in their own process. */
export async function controlplaneKubeConfig(cluster: TestCluster): Promise<k8s.KubeConfig> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(await controlplaneKubeconfig(cluster));
  return kc;
}

async function writeControlplaneKubeconfig(cluster: TestCluster): Promise<string> {
  await cluster.kubectl(["apply", ...CONTROLPLANE_ACCESS_FILES.flatMap((f) => ["-f", f])]);
  // A new CRD's kind is served once it is Established, a moment after it is stored.
  const crds = readObjects(join(manifestsDir, "crds.yaml")).map(
    (crd) => `customresourcedefinition/${crd.metadata.name}`,
  );
  await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...crds]);
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  // No audiences: the apiserver's own, so the token is good for the API and nothing else.
  const request = await core.createNamespacedServiceAccountToken({
    name: CONTROLPLANE_ACCOUNT,
    namespace: CONTROLPLANE_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
  });
  const token = request.status?.token;
  if (!token) throw new Error("TokenRequest answered without a token");
  const admin = cluster.kubeConfig.getCurrentCluster();
  if (!admin?.caData) throw new Error("the cluster's kubeconfig has no inline CA");
  const name = "jobhooks-test";
  const user = `${CONTROLPLANE_NAMESPACE}:${CONTROLPLANE_ACCOUNT}`;
  const path = join(cluster.dir, "controlplane.kubeconfig");
  const yaml = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name, cluster: { server: cluster.server, "certificate-authority-data": admin.caData } },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name, context: { cluster: name, user } }],
    "current-context": name,
  });
  await writeFile(path, yaml, { mode: 0o600 });
  return path;
}
