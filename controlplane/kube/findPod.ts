import type * as k8s from "@kubernetes/client-node";
import type { KubeApi } from "./KubeApi.js";

/**
 * One pod by name, or undefined. A list with a field selector rather than a GET: RBAC's `list`
 * suffices, and the apiserver also applies `labelSelector` (a pod it does not select is "none").
 */
export async function findPod(
  api: KubeApi,
  target: { namespace: string; name: string; labelSelector?: string | undefined },
  signal?: AbortSignal,
): Promise<k8s.V1Pod | undefined> {
  const { namespace, name, labelSelector } = target;
  const list = await api.getJson<{ items: k8s.V1Pod[] }>(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    { fieldSelector: `metadata.name=${name}`, labelSelector },
    signal,
  );
  return list.items[0];
}
