import type { Logger } from "../../common/logger.js";
import { TtlCache } from "../../common/TtlCache.js";
import { PermissionDeniedError } from "../auth/Caller.js";
import type { CounterPods, CountWrite, PodState } from "./CounterPods.js";
import { decidePod, type ChangeResult, type PodChange, type PodRules } from "./decidePod.js";

export interface PodCounterOptions extends PodRules {
  log: Logger;
  /** Called for every write to the apiserver (a metric). */
  onPatch?: () => void;
  /** Called for every operation asked for (a metric). */
  onOperation?: (change: PodChange) => void;
  /** The pod as it is after each batch (written, or found needing no write). */
  onSeen?: (namespace: string, name: string, pod: PodState) => void;
  /** The clock leases and busy periods are timed by; default Date.now. */
  now?: () => number;
}

export interface CountOp {
  namespace: string;
  name: string;
  change: PodChange;
  /** The pod must have this UID (the one its caller's token is bound to). */
  uid?: string;
  /** A retry of a request with this id is answered, not applied again. */
  requestId?: string;
}

interface Pending {
  op: CountOp;
  resolve: (value: ChangeResult) => void;
  reject: (err: unknown) => void;
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
  private readonly queues = new Map<string, Pending[]>();
  private readonly known = new Map<string, PodState>();
  private readonly answered = new TtlCache<Promise<ChangeResult>>(100_000);

  constructor(
    private readonly pods: CounterPods,
    private readonly o: PodCounterOptions,
  ) {}

  apply(op: CountOp): Promise<ChangeResult> {
    this.o.onOperation?.(op.change);
    if (op.requestId) {
      const earlier = this.answered.get(op.requestId);
      if (earlier) return earlier;
    }
    const key = `${op.namespace}/${op.name}`;
    const result = new Promise<ChangeResult>((resolve, reject) => {
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
        const results = await this.write(key, namespace, name, batch);
        batch.forEach((p, i) => {
          const r = results[i];
          if (r instanceof Error) p.reject(r);
          else if (r) p.resolve(r);
        });
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
  ): Promise<(ChangeResult | Error | undefined)[]> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const pod = this.known.get(podKey) ?? (await this.pods.read(namespace, name));
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
      const { results, write } = decidePod(
        pod,
        ok.map((p) => p.op.change),
        (this.o.now ?? Date.now)(),
        this.o,
      );
      const answers = batch.map((p) => {
        const i = ok.indexOf(p);
        return i < 0 ? undefined : results[i];
      });
      const now = write ? await this.patch(namespace, name, pod.resourceVersion, write) : pod;
      if (now) {
        this.known.set(podKey, now);
        this.o.onSeen?.(namespace, name, now);
        return answers;
      }
      this.known.delete(podKey); // someone else changed the pod: read it again
    }
    throw new Error(
      `${namespace}/${name}: ${MAX_CONFLICTS} conflicting writes in a row; try again`,
    );
  }

  // The pod as written, or undefined on a conflict (its resourceVersion moved on).
  private patch(
    namespace: string,
    name: string,
    resourceVersion: string,
    write: CountWrite,
  ): Promise<PodState | undefined> {
    this.o.onPatch?.();
    return this.pods.write(namespace, name, resourceVersion, write);
  }
}
