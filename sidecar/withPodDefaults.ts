import { badRequest } from "../rest/Problem.js";
import type { SidecarWatcherCreateJson } from "../rest/shapes.js";
import type { PodIdentity } from "./podIdentity.js";

/**
 * A watcher body with the pod's defaults: its Job (JOB_NAME) unless the body names a Job or a
 * CronJob, and its namespace (POD_NAMESPACE) unless the body names one.
 */
export function withPodDefaults(
  body: SidecarWatcherCreateJson,
  pod: PodIdentity,
): SidecarWatcherCreateJson {
  const jobName = body.jobName ?? (body.cronJobName === undefined ? pod.jobName : undefined);
  if (jobName === undefined && body.cronJobName === undefined) {
    throw badRequest(
      "jobName is required: this pod has no JOB_NAME in its environment to default it from",
      [{ field: "jobName", message: "is required (JOB_NAME is not set)" }],
    );
  }
  return { ...body, jobName, namespace: body.namespace ?? pod.namespace };
}
