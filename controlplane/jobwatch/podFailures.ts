import type { V1Pod } from "@kubernetes/client-node";

/** How one container of a failed pod ended. */
export interface ContainerFailure {
  name: string;
  exitCode: number;
  /** The kubelet's reason, e.g. Error, OOMKilled, DeadlineExceeded. */
  reason: string;
  /** The container's termination message (its terminationMessagePath), up to 1 KiB. */
  message: string;
}

/** A failed pod of a Job and its containers that ended with a non-zero exit code. */
export interface PodFailure {
  pod: string;
  /** The pod's own reason (e.g. Evicted, DeadlineExceeded), "" when it has none. */
  reason: string;
  containers: ContainerFailure[];
}

/** Pods told at most: a Job with a large backoffLimit may have failed many times alike. */
export const MAX_FAILED_PODS = 5;
const MAX_MESSAGE = 1024;

/**
 * The failed pods among a Job's, newest first, each with the containers (init containers
 * included) that ended with a non-zero exit code. Pure.
 */
export function podFailures(pods: readonly V1Pod[]): PodFailure[] {
  return pods
    .filter((p) => p.status?.phase === "Failed")
    .sort((a, b) => started(b) - started(a))
    .slice(0, MAX_FAILED_PODS)
    .map((p) => ({
      pod: p.metadata?.name ?? "",
      reason: p.status?.reason ?? "",
      containers: [
        ...(p.status?.initContainerStatuses ?? []),
        ...(p.status?.containerStatuses ?? []),
      ].flatMap((c) => {
        const t = c.state?.terminated ?? c.lastState?.terminated;
        if (!t || t.exitCode === 0) return [];
        return [
          {
            name: c.name,
            exitCode: t.exitCode,
            reason: t.reason ?? "",
            message: (t.message ?? "").slice(0, MAX_MESSAGE),
          },
        ];
      }),
    }));
}

function started(p: V1Pod): number {
  const t = p.status?.startTime ?? p.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}
