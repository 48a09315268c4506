import * as k8s from "@kubernetes/client-node";
import type { KubeApi } from "../../common/kubeApi.js";
import type { Logger } from "../../common/logger.js";
import { TtlCache } from "../../common/TtlCache.js";
import { PermissionDeniedError } from "../auth/Caller.js";
import { findPod } from "../../common/findPod.js";
import { NotFoundError } from "../watchers/errors.js";
import { countLabel, type CountRules } from "./countLabel.js";

export interface PodCounterOptions extends CountRules {
  /** The label that holds the count, and the annotation that holds it exactly (below zero too). */
  label: string;
  /** Only pods this label selector selects may be counted; others are "not found". */
  labelSelector: string | undefined;
  log: Logger;
  /** Called for every write to the apiserver (a metric). */
  onPatch?: () => void;
  /** Called for every operation asked for (a metric). */
  onOperation?: (delta: number) => void;
}

export interface CountOp {
  namespace: string;
  name: string;
  /** +1, -1, or 0 to read. */
  delta: number;
  /** The pod must have this UID (the one its caller's token is bound to). */
  uid?: string;
  /** A retry of a request with this id is answered, not applied again. */
  requestId?: string;
}

interface Pending {
  op: CountOp;
  resolve: (value: number) => void;
  reject: (err: unknown) => void;
}

interface PodState {
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function podState(pod: k8s.V1Pod): PodState {
  return {
    uid: pod.metadata?.uid ?? "",
    resourceVersion: pod.metadata?.resourceVersion ?? "",
    labels: pod.metadata?.labels ?? {},
    annotations: pod.metadata?.annotations ?? {},
  };
}

const MAX_CONFLICTS = 20;

/**
 * Counts in a pod label (and the annotation of the same name, which also holds counts below
 * zero: see countLabel.ts), exactly, however many callers act at once. Operations on one pod queue
 * up while a write is in flight and go out together as the next write: one merge patch with the
 * pod's resourceVersion as precondition, redone from a fresh read on a conflict. Writes grow with
 * the number of write rounds, not with the number of calls.
 */
export class PodCounter {
  private readonly core: k8s.CoreV1Api;
  private readonly queues = new Map<string, Pending[]>();
  private readonly known = new Map<string, PodState>();
  private readonly answered = new TtlCache<Promise<number>>(100_000);

  constructor(
    private readonly api: KubeApi,
    private readonly o: PodCounterOptions,
  ) {
    this.core = api.client(k8s.CoreV1Api);
  }

  apply(op: CountOp): Promise<number> {
    this.o.onOperation?.(op.delta);
    if (op.requestId) {
      const earlier = this.answered.get(op.requestId);
      if (earlier) return earlier;
    }
    const key = `${op.namespace}/${op.name}`;
    const result = new Promise<number>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ op, resolve, reject });
        return;
      }
      this.queues.set(key, [{ op, resolve, reject }]);
      void this.drain(key, op.namespace, op.name);
    });
    if (op.requestId) {
      this.answered.set(op.requestId, result, 10 * 60_000);
      result.catch(() => undefined);
    }
    return result;
  }

  // One worker per pod: takes everything queued, writes it as one patch, repeats until empty.
  private async drain(key: string, namespace: string, name: string): Promise<void> {
    for (;;) {
      const batch = this.queues.get(key)?.splice(0) ?? [];
      if (batch.length === 0) {
        this.queues.delete(key);
        return;
      }
      try {
        const values = await this.write(key, namespace, name, batch);
        batch.forEach((p, i) => p.resolve(values[i] ?? 0));
      } catch (err) {
        this.known.delete(key);
        for (const p of batch) p.reject(err);
      }
    }
  }

  private async write(
    podKey: string,
    namespace: string,
    name: string,
    batch: Pending[],
  ): Promise<(number | undefined)[]> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const pod = this.known.get(podKey) ?? (await this.read(namespace, name));
      // Operations from tokens bound to another pod of this name fail alone.
      const ok = batch.filter((p) => p.op.uid === undefined || p.op.uid === pod.uid);
      for (const p of batch) {
        if (!ok.includes(p))
          p.reject(
            new PermissionDeniedError(
              `the token is bound to a pod ${namespace}/${name} that no longer exists`,
            ),
          );
      }
      const key = this.o.label;
      const result = countLabel(
        { label: pod.labels[key], annotation: pod.annotations[key] },
        ok.map((p) => p.op.delta),
        this.o,
      );
      const values = batch.map((p) => {
        const i = ok.indexOf(p);
        return i < 0 ? undefined : result.after[i];
      });
      if (result.write === undefined) {
        this.known.set(podKey, pod);
        return values;
      }
      const written = await this.patch(namespace, name, pod.resourceVersion, result.write);
      if (written) {
        this.known.set(podKey, written);
        return values;
      }
      this.known.delete(podKey); // someone else changed the pod: read it again
    }
    throw new Error(
      `${namespace}/${name}: ${MAX_CONFLICTS} conflicting writes in a row; try again`,
    );
  }

  // The pod, if it exists and the label selector selects it; the apiserver evaluates the selector.
  private async read(namespace: string, name: string): Promise<PodState> {
    const pod = await findPod(this.api, namespace, name, this.o.labelSelector);
    if (!pod?.metadata?.uid || !pod.metadata.resourceVersion) {
      const why = this.o.labelSelector ? ` (or it is not selected by ${this.o.labelSelector})` : "";
      throw new NotFoundError(`pod ${namespace}/${name} not found${why}`);
    }
    return podState(pod);
  }

  // The pod as written, or undefined on a conflict (its resourceVersion moved on).
  private async patch(
    namespace: string,
    name: string,
    resourceVersion: string,
    write: { label: string | null; annotation: string | null },
  ): Promise<PodState | undefined> {
    const key = this.o.label;
    try {
      this.o.onPatch?.();
      const pod = await this.core.patchNamespacedPod(
        {
          name,
          namespace,
          body: {
            metadata: {
              resourceVersion,
              labels: { [key]: write.label },
              annotations: { [key]: write.annotation },
            },
          },
        },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
      return podState(pod);
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 409) return undefined;
      if (code === 404) throw new NotFoundError(`pod ${namespace}/${name} not found`);
      throw err;
    }
  }
}
