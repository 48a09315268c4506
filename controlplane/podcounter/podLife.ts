/**
 * What the pod counter keeps on a pod beside the count, so that a busy pod cannot get stuck:
 * its leases (units of work that end by themselves), when its busy period began (for
 * --max-busy), and whether that ceiling dropped its protection. All of it is written in the
 * count's own patch, so it is exactly as durable as the count: a restarted or another replica
 * reads it from the pod.
 */
export const LEASES = "jobhooks.dev/leases";
export const BUSY_SINCE = "jobhooks.dev/busy-since";
/**
 * A label, so a replica that starts can list the pods it must look after: those with the count
 * label, and those whose protection the ceiling dropped (they have no count label).
 */
export const DROPPED = "jobhooks.dev/protection-dropped";

/** Leases one pod may hold at once (each is about 45 bytes of annotation). */
export const MAX_LEASES = 1000;

/** Lease id → when it expires (ms since the epoch). */
export type Leases = Map<string, number>;

export interface PodLife {
  leases: Leases;
  /** When the count last went above zero (ms since the epoch); undefined while idle. */
  busySince: number | undefined;
  /** The ceiling dropped this busy period's protection: no count label until the count is 0. */
  dropped: boolean;
}

const LEASE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The leases an annotation holds; one that does not parse holds none (it was edited by hand:
 * leases that cannot be read cannot be released either, and keeping them would hold the pod).
 */
export function readLeases(value: string | undefined): Leases {
  const leases: Leases = new Map();
  if (value === undefined) return leases;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return leases;
    for (const [id, at] of Object.entries(parsed as Record<string, unknown>)) {
      if (LEASE_ID.test(id) && typeof at === "number" && Number.isFinite(at)) leases.set(id, at);
    }
  } catch {
    // as none
  }
  return leases;
}

export function writeLeases(leases: Leases): string | null {
  return leases.size === 0 ? null : JSON.stringify(Object.fromEntries(leases));
}

export function readPodLife(
  labels: Record<string, string>,
  annotations: Record<string, string>,
): PodLife {
  const since = Date.parse(annotations[BUSY_SINCE] ?? "");
  return {
    leases: readLeases(annotations[LEASES]),
    busySince: Number.isNaN(since) ? undefined : since,
    dropped: labels[DROPPED] !== undefined,
  };
}

/**
 * When something is next due on a pod: its first lease to expire, or its busy period reaching
 * `maxBusyMs` (0: no ceiling). Undefined: nothing will ever be due.
 */
export function nextDue(life: PodLife, maxBusyMs: number): number | undefined {
  const due = [...life.leases.values()];
  if (maxBusyMs > 0 && !life.dropped && life.busySince !== undefined) {
    due.push(life.busySince + maxBusyMs);
  }
  return due.length === 0 ? undefined : Math.min(...due);
}
