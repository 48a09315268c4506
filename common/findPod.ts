import type * as k8s from "@kubernetes/client-node";
import type { KubeApi } from "./kubeApi.js";

/**
 * One pod by name, or undefined. A list with a field selector rather than a GET: RBAC's `list`
 * suffices, and the apiserver also applies `labelSelector` (a pod it does not select is "none").
 */
export async function findPod(
  api: KubeApi,
  namespace: string,
  name: string,
  labelSelector?: string,
): Promise<k8s.V1Pod | undefined> {
  const list = await api.getJson<{ items: k8s.V1Pod[] }>(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    { fieldSelector: `metadata.name=${name}`, labelSelector },
  );
  return list.items[0];
}
