import * as k8s from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../cluster/paths.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";

export const SIDECAR = "jobhooks-sidecar";

/**
 * The shipped MutatingWebhookConfiguration (manifests/webhook.yaml), pointed at a controlplane
 * on loopback and narrowed to one namespace, so the other tests' pods never reach it.
 */
export function testWebhookConfiguration(
  name: string,
  url: string,
  namespace: string,
): k8s.V1MutatingWebhookConfiguration {
  const shipped = parse(
    readFileSync(join(repoRoot, "manifests", "webhook.yaml"), "utf8"),
  ) as k8s.V1MutatingWebhookConfiguration;
  shipped.metadata = { name };
  for (const w of shipped.webhooks ?? []) {
    w.clientConfig = { url };
    w.namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": namespace } };
  }
  return shipped;
}

/**
 * The controlplane's flags for an injector on loopback with --self-signed. The configuration is
 * named "jobhooks", as installed: the controlplane's ClusterRole names that one object only.
 */
export function injectorArgs(sidecarControlplane: string, configuration = "jobhooks"): string[] {
  return [
    "--self-signed",
    "--webhook-hosts=127.0.0.1",
    "--webhook-listen=127.0.0.1:0",
    `--webhook-configuration=${configuration}`,
    "--sidecar-image=jobhooks:test",
    `--sidecar-controlplane=${sidecarControlplane}`,
  ];
}

/** The pod the apiserver would create, from a server-side dry run: mutated, not stored. */
export async function dryRunPod(
  cluster: TestCluster,
  namespace: string,
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string> },
): Promise<k8s.V1Pod> {
  return cluster.kubeConfig.makeApiClient(k8s.CoreV1Api).createNamespacedPod({
    namespace,
    dryRun: "All",
    body: {
      metadata: { generateName: "probe-", ...metadata },
      spec: { containers: [{ name: "work", image: "busybox" }] },
    },
  });
}

export function sidecarsOf(pod: k8s.V1Pod): k8s.V1Container[] {
  return (pod.spec?.initContainers ?? []).filter((c) => c.name === SIDECAR);
}

/** Waits until the apiserver trusts the injector: a dry-run pod comes back injected. */
export async function injectionWorks(
  cluster: TestCluster,
  namespace: string,
  intervalMs = 200,
): Promise<void> {
  await waitFor(
    "the apiserver to call the injector",
    async () => {
      const pod = await dryRunPod(cluster, namespace, {
        annotations: { "jobhooks.dev/inject": "true" },
      });
      return sidecarsOf(pod).length === 1 ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs },
  );
}

export function annotatedJob(
  name: string,
  opts: { label?: boolean; annotation?: boolean; account?: string; runMs?: number },
): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {
          annotations: {
            ...(opts.annotation && { "jobhooks.dev/inject": "true" }),
            ...(opts.runMs !== undefined && { "test.jobhooks.dev/run-ms": String(opts.runMs) }),
          },
          ...(opts.label && { labels: { "jobhooks.dev/inject": "true" } }),
        },
        spec: {
          ...(opts.account && { serviceAccountName: opts.account }),
          restartPolicy: "Never",
          containers: [{ name: "work", image: "busybox", command: ["printenv"] }],
        },
      },
    },
  };
}
