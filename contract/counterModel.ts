// The pod counter's part of the API's shapes (model.ts re-exports them).

/** Which pod's counter: a pod's own token names it; any other caller names the pod. */
export interface CounterRequest {
  podName?: string | undefined;
  /** Absent: the caller's namespace, else the controlplane's --default-namespace. */
  namespace?: string | undefined;
  /** One per unit of work: a retried call with the same id is applied once. */
  requestId?: string | undefined;
  /**
   * Increment only: the unit is a lease that ends by itself (-1) this many seconds from now
   * unless renewed (LIMITS.leaseTtlSeconds). Absent: a plain unit, ended by a decrement.
   */
  ttlSeconds?: number | undefined;
}

/** A lease on a pod's counter: renew it, or release it. */
export interface LeaseRequest {
  podName?: string | undefined;
  namespace?: string | undefined;
  leaseId: string;
  /** Renew: the lease now ends this many seconds from now. */
  ttlSeconds?: number | undefined;
}

/** A lease held on a pod's counter. */
export interface Lease {
  id: string;
  /** RFC 3339. */
  expiresAt: string;
}

export interface CounterValue {
  namespace: string;
  podName: string;
  value: number;
  /** An increment with a ttl, or a renewal: the lease. */
  lease?: Lease | undefined;
  /** A force release: how many leases it ended. */
  released?: number | undefined;
}

/** +1 increments, -1 decrements, 0 reads. */
export type CounterDelta = -1 | 0 | 1;
