import * as k8s from "@kubernetes/client-node";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";

/** A plain pod (no Job owns it, so kwok keeps it Running) using ServiceAccount `account`. */
export async function runningPod(
  cluster: TestCluster,
  namespace: string,
  name: string,
  o: {
    account?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } = {},
): Promise<k8s.V1Pod> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  if (o.account) {
    await core
      .createNamespacedServiceAccount({ namespace, body: { metadata: { name: o.account } } })
      .catch(() => undefined);
  }
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: {
        name,
        ...(o.labels && { labels: o.labels }),
        ...(o.annotations && { annotations: o.annotations }),
      },
      spec: {
        ...(o.account && { serviceAccountName: o.account }),
        containers: [{ name: "work", image: "busybox", command: ["sleep", "3600"] }],
      },
    },
  });
  return waitFor(`pod ${namespace}/${name} Running`, async () => {
    const pod = await core.readNamespacedPod({ name, namespace });
    return pod.status?.phase === "Running" ? pod : undefined;
  });
}

/** A token for the pod's ServiceAccount, bound to the pod, as a projected volume would hold. */
export async function podToken(
  cluster: TestCluster,
  pod: k8s.V1Pod,
  audience = "jobhooks",
): Promise<string> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const namespace = pod.metadata!.namespace!;
  const req = await core.createNamespacedServiceAccountToken({
    name: pod.spec!.serviceAccountName ?? "default",
    namespace,
    body: {
      spec: {
        audiences: [audience],
        expirationSeconds: 3600,
        boundObjectRef: {
          apiVersion: "v1",
          kind: "Pod",
          name: pod.metadata!.name!,
          uid: pod.metadata!.uid!,
        },
      },
    },
  });
  return req.status!.token;
}

/** The pod's label value, or undefined. */
export async function podLabel(
  cluster: TestCluster,
  namespace: string,
  name: string,
  label: string,
): Promise<string | undefined> {
  const pod = await cluster.kubeConfig
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedPod({ name, namespace });
  return pod.metadata?.labels?.[label];
}

/** The pod's label and annotation of one name: where the pod counter keeps its count. */
export async function podCount(
  cluster: TestCluster,
  namespace: string,
  name: string,
  key: string,
): Promise<{ label: string | undefined; annotation: string | undefined }> {
  const pod = await cluster.kubeConfig
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedPod({ name, namespace });
  return { label: pod.metadata?.labels?.[key], annotation: pod.metadata?.annotations?.[key] };
}

/** The pod's annotations (none: {}). */
export async function podAnnotations(
  cluster: TestCluster,
  namespace: string,
  name: string,
): Promise<Record<string, string>> {
  const pod = await cluster.kubeConfig
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedPod({ name, namespace });
  return pod.metadata?.annotations ?? {};
}

/**
 * Sets the pod's Ready condition through its status subresource, as a kubelet would when a
 * container crashes or its readiness probe fails (kwok leaves a running pod's status alone).
 */
export async function setPodReady(
  cluster: TestCluster,
  namespace: string,
  name: string,
  ready: boolean,
): Promise<void> {
  const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const pod = await core.readNamespacedPodStatus({ name, namespace });
  for (const c of pod.status?.conditions ?? []) {
    if (c.type !== "Ready" && c.type !== "ContainersReady") continue;
    c.status = ready ? "True" : "False";
    c.lastTransitionTime = new Date();
  }
  await core.replaceNamespacedPodStatus({ name, namespace, body: pod });
}
