import type * as k8s from "@kubernetes/client-node";
import { findPod } from "../kube/findPod.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { PatchType } from "../kube/sendRequest.js";
import { NotFoundError } from "../watchers/errors.js";
import type { CounterPods, CountWrite, PodState } from "./CounterPods.js";

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

  // One merge patch (label, count and hints) whose resourceVersion is a precondition: 409 when
  // the pod moved on.
  async write(
    namespace: string,
    name: string,
    resourceVersion: string,
    count: CountWrite,
  ): Promise<PodState | undefined> {
    const key = this.o.key;
    try {
      const pod = await this.api.request<k8s.V1Pod>({
        method: "PATCH",
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
        contentType: PatchType.merge,
        body: {
          metadata: {
            resourceVersion,
            labels: { [key]: count.label },
            annotations: { ...count.hints, [key]: count.annotation },
          },
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
}
