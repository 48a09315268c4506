import type { V1PodList } from "@kubernetes/client-node";
import type { Logger } from "../../common/logger.js";
import type { KubeApi } from "../kube/KubeApi.js";
import type { JobSummary } from "./jobSummary.js";
import { podFailures, type PodFailure } from "./podFailures.js";

/** Longest wait for the pods: a notification goes without them rather than wait longer. */
const LOOKUP_TIMEOUT_MS = 2000;

/** Why a Job failed, in its pods' words: asked of the apiserver when a failed Job is notified. */
export class FailedPods {
  constructor(
    private readonly api: KubeApi,
    private readonly log: Logger,
  ) {}

  /**
   * The Job's failed pods (podFailures), found by the label the Job controller puts on its
   * pods; undefined when the apiserver does not answer in 2 s.
   */
  async of(job: JobSummary): Promise<PodFailure[] | undefined> {
    try {
      const pods = await this.api.getJson<V1PodList>(
        `/api/v1/namespaces/${encodeURIComponent(job.namespace)}/pods`,
        { labelSelector: `batch.kubernetes.io/controller-uid=${job.uid}` },
        AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
      );
      return podFailures(pods.items);
    } catch (err) {
      this.log.warn(
        { err, job: `${job.namespace}/${job.name}` },
        "could not read a failed Job's pods; notifying without them",
      );
      return undefined;
    }
  }
}
