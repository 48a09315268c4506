import { findPod } from "../kube/findPod.js";
import type { KubeApi } from "../kube/KubeApi.js";
import { TtlCache } from "../../common/TtlCache.js";
import type { Caller } from "./Caller.js";

/** The label the Job controller puts on its pods. */
const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

/**
 * Which Job a calling pod belongs to, read from the pod itself: its token names the pod (and its
 * UID), the Job controller's label names the Job. A pod's Job never changes, so the answer is
 * kept for as long as the pod could be calling.
 */
export class PodJobs {
  private readonly jobs = new TtlCache<string>(10_000);

  constructor(private readonly api: KubeApi) {}

  /** The Job of the caller's pod; "" when the caller is no pod, or its pod belongs to no Job. */
  async jobOf(caller: Caller): Promise<string> {
    if (!caller.pod || !caller.namespace) return "";
    const { uid, name } = caller.pod;
    const known = this.jobs.get(uid);
    if (known !== undefined) return known;
    // Bound by the KubeApi's request timeout: a stalled apiserver fails the call, UNAVAILABLE.
    const pod = await findPod(this.api, { namespace: caller.namespace, name });
    // Another pod of the same name is not the caller's.
    if (pod?.metadata?.uid !== uid) return "";
    const job = pod.metadata.labels?.[JOB_NAME_LABEL] ?? "";
    // Only a pod found is remembered: one not found may be one the apiserver has not shown us yet.
    this.jobs.set(uid, job, 60 * 60 * 1000);
    return job;
  }
}
