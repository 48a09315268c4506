/** What the pod counter needs of a pod: who it is, its version, and where the count is kept. */
export interface PodState {
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Labels and annotations to change in one write (decidePod.ts): the count under the counter's
 * key, the autoscaler hints, the leases and the busy period's marks; null removes one.
 */
export interface CountWrite {
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
}

/**
 * The apiserver side of the pod counter, apart so PodCounter's batching can be tested without it
 * (KubeCounterPods is the real one). Either call may fail; PodCounter then fails the batch.
 */
export interface CounterPods {
  /** The pod, if it exists (and is counted at all); else a NotFoundError. */
  read(namespace: string, name: string): Promise<PodState>;
  /**
   * Writes the count if the pod is still at `resourceVersion`: the pod as written, or undefined
   * when it has moved on (a conflict). A pod that is gone is a NotFoundError.
   */
  write(
    namespace: string,
    name: string,
    resourceVersion: string,
    count: CountWrite,
  ): Promise<PodState | undefined>;
}

/** A pod the counter looks after, as listed. */
export interface WatchedPod {
  namespace: string;
  name: string;
  state: PodState;
}
