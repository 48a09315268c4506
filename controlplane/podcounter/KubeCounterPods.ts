import type * as k8s from "@kubernetes/client-node";
import { findPod } from "../kube/findPod.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { PatchType } from "../kube/sendRequest.js";
import { NotFoundError } from "../watchers/errors.js";
import type { CounterPods, CountWrite, PodState, WatchedPod } from "./CounterPods.js";
import { DROPPED } from "./podLife.js";

function podState(pod: k8s.V1Pod): PodState {
  return {
    uid: pod.metadata?.uid ?? "",
    resourceVersion: pod.metadata?.resourceVersion ?? "",
    labels: pod.metadata?.labels ?? {},
    annotations: pod.metadata?.annotations ?? {},
  };
}

/**
 * The pod counter's pods in the apiserver. A batch serves many callers, so no one caller's abort
 * ends its calls; KubeApi's request timeout bounds each, so a stalled connection fails the batch
 * (UNAVAILABLE) instead of holding the pod's queue.
 */
export class KubeCounterPods implements CounterPods {
  constructor(
    private readonly api: KubeApi,
    private readonly o: {
      /** The label (and annotation) that holds the count. */
      key: string;
      /** Only pods this selector selects are counted; others are "not found". */
      labelSelector: string | undefined;
    },
  ) {}

  // The apiserver evaluates the selector: a pod it does not select is not found.
  async read(namespace: string, name: string): Promise<PodState> {
    const pod = await findPod(this.api, { namespace, name, labelSelector: this.o.labelSelector });
    if (!pod?.metadata?.uid || !pod.metadata.resourceVersion) {
      const why = this.o.labelSelector ? ` (or it is not selected by ${this.o.labelSelector})` : "";
      throw new NotFoundError(`pod ${namespace}/${name} not found${why}`);
    }
    return podState(pod);
  }

  // One merge patch (the count, its hints and marks) whose resourceVersion is a precondition:
  // 409 when the pod moved on.
  async write(
    namespace: string,
    name: string,
    resourceVersion: string,
    count: CountWrite,
  ): Promise<PodState | undefined> {
    try {
      const pod = await this.api.request<k8s.V1Pod>({
        method: "PATCH",
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
        contentType: PatchType.merge,
        body: {
          metadata: { resourceVersion, labels: count.labels, annotations: count.annotations },
        },
      });
      return podState(pod);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 409) return undefined;
      if (code === 404) throw new NotFoundError(`pod ${namespace}/${name} not found`);
      throw err;
    }
  }

  // Busy pods (the count label, not "0") and those the ceiling dropped, page by page; in the
  // namespaces served, or all of them.
  async listWatched(namespaces: readonly string[] | undefined): Promise<WatchedPod[]> {
    const selectors = [`${this.o.key},${this.o.key}!=0`, DROPPED].map((s) =>
      this.o.labelSelector ? `${s},${this.o.labelSelector}` : s,
    );
    const paths = (namespaces ?? [undefined]).map((ns) =>
      ns === undefined ? "/api/v1/pods" : `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`,
    );
    const found: WatchedPod[] = [];
    for (const path of paths) {
      for (const labelSelector of selectors)
        found.push(...(await this.listAll(path, labelSelector)));
    }
    return found;
  }

  private async listAll(path: string, labelSelector: string): Promise<WatchedPod[]> {
    const found: WatchedPod[] = [];
    let next: string | undefined;
    do {
      const page: { items: k8s.V1Pod[]; metadata?: k8s.V1ListMeta } = await this.api.getJson(path, {
        labelSelector,
        limit: "500",
        ...(next && { continue: next }),
      });
      for (const pod of page.items) {
        const { namespace, name } = pod.metadata ?? {};
        if (namespace && name) found.push({ namespace, name, state: podState(pod) });
      }
      next = page.metadata?._continue;
    } while (next);
    return found;
  }
}
