/** Who this sidecar speaks for, from the downward API; each may be unset outside a Job pod. */
export interface PodIdentity {
  /** POD_NAME: metadata.name. */
  podName: string | undefined;
  /** POD_NAMESPACE: metadata.namespace; the default namespace of watchers. */
  namespace: string | undefined;
  /** JOB_NAME: metadata.labels['batch.kubernetes.io/job-name']; the default Job of watchers. */
  jobName: string | undefined;
}

export function podIdentityFromEnv(env: NodeJS.ProcessEnv): PodIdentity {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  return {
    podName: value("POD_NAME"),
    namespace: value("POD_NAMESPACE"),
    jobName: value("JOB_NAME"),
  };
}
