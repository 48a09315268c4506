import type { Logger } from "../../common/logger.js";
import { TtlCache } from "../../common/TtlCache.js";
import { PermissionDeniedError } from "../auth/Caller.js";
import { countLabel, readCount, type CountRules } from "./countLabel.js";
import type { CounterPods, CountWrite, PodState } from "./CounterPods.js";
import { hintWrites, type HintRules } from "./hints.js";

export interface PodCounterOptions extends CountRules, HintRules {
  /** The label that holds the count, and the annotation that holds it exactly (below zero too). */
  label: string;
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
  private readonly answered = new TtlCache<Promise<number>>(100_000);

  constructor(
    private readonly pods: CounterPods,
    private readonly o: PodCounterOptions,
  ) {}

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
      const { after, write } = this.decide(pod, ok);
      const values = batch.map((p) => {
        const i = ok.indexOf(p);
        return i < 0 ? undefined : after[i];
      });
      if (write === undefined) {
        this.known.set(podKey, pod);
        return values;
      }
      const written = await this.patch(namespace, name, pod.resourceVersion, write);
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

  // The count after each operation, and what to write: the count, and the hints riding with it.
  private decide(pod: PodState, ok: Pending[]): { after: number[]; write: CountWrite | undefined } {
    const stored = { label: pod.labels[this.o.label], annotation: pod.annotations[this.o.label] };
    const { after, write } = countLabel(
      stored,
      ok.map((p) => p.op.delta),
      this.o,
    );
    if (write === undefined) return { after, write };
    const counts = { before: readCount(stored, this.o), after: after.at(-1) ?? 0 };
    return { after, write: { ...write, hints: hintWrites(pod.annotations, counts, this.o) } };
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
