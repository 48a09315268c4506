import { ApiError } from "../../contract/errors.js";
import { NotFoundError } from "../watchers/errors.js";
import { readCount, storedCount, type CountRules, type StoredCount } from "./countLabel.js";
import type { CountWrite, PodState } from "./CounterPods.js";
import { hintWrites, type HintRules } from "./hints.js";
import {
  BUSY_SINCE,
  DROPPED,
  LEASES,
  MAX_LEASES,
  readPodLife,
  writeLeases,
  type PodLife,
} from "./podLife.js";

/** One thing asked of a pod's counter; a batch of them goes out as one write. */
export type PodChange =
  /** +1, -1, or 0 to read. */
  | { kind: "count"; delta: number }
  /** +1 as a lease that expires `ttlMs` from now unless renewed. */
  | { kind: "acquire"; id: string; ttlMs: number }
  /** The lease expires `ttlMs` from now. */
  | { kind: "renew"; id: string; ttlMs: number }
  /** The lease ends: -1. */
  | { kind: "release"; id: string }
  /** The controlplane's round: expired leases end, and a pod busy past the ceiling is dropped. */
  | { kind: "sweep" }
  /** An operator's: the count goes to 0 and every lease ends. */
  | { kind: "forceRelease" };

export interface ChangeResult {
  /** The count after this change. */
  value: number;
  /** acquire, renew: the lease and when it now expires (ms since the epoch). */
  lease?: { id: string; expiresAt: number };
  /** forceRelease: the leases it ended. */
  released?: number;
  /** sweep: the leases that expired. */
  expired?: number;
  /** sweep: the ceiling dropped the pod's protection just now. */
  dropped?: boolean;
}

export interface PodRules extends CountRules, HintRules {
  /** The label (and annotation) that holds the count. */
  label: string;
  /** --max-busy: a busy period longer than this loses its protection; 0: never. */
  maxBusyMs: number;
}

export interface PodDecision {
  /** One per change, in order: what its caller is answered, or why it failed. */
  results: (ChangeResult | Error)[];
  /** What to write, in one patch; undefined: leave the pod as it is. */
  write: CountWrite | undefined;
}

// The count as stored; while dropped the label is gone and the annotation alone holds it.
function storedOf(pod: PodState, rules: PodRules, dropped: boolean): StoredCount {
  const annotation = pod.annotations[rules.label];
  return { label: dropped ? annotation : pod.labels[rules.label], annotation };
}

/** The count a pod carries, whether or not the ceiling dropped its label. */
export function podCount(pod: PodState, rules: PodRules): number {
  return readCount(storedOf(pod, rules, pod.labels[DROPPED] !== undefined), rules);
}

class PodMath {
  value: number;
  readonly life: PodLife;

  constructor(
    value: number,
    life: PodLife,
    private readonly rules: PodRules,
    readonly now: number,
  ) {
    this.value = value;
    this.life = { ...life, leases: new Map(life.leases) };
  }

  private add(delta: number): void {
    this.value = this.rules.allowNegative ? this.value + delta : Math.max(0, this.value + delta);
    if (this.value <= 0) this.life.leases.clear(); // nothing is left to hold
  }

  apply(change: PodChange): ChangeResult | Error {
    const { leases } = this.life;
    switch (change.kind) {
      case "count":
        this.add(change.delta);
        return { value: this.value };
      case "acquire":
        if (leases.size >= MAX_LEASES) {
          return new ApiError("resource-exhausted", `the pod holds ${MAX_LEASES} leases already`);
        }
        this.add(1);
        return this.hold(change.id, change.ttlMs);
      case "renew":
        return leases.has(change.id) ? this.hold(change.id, change.ttlMs) : gone(change.id);
      case "release":
        if (!leases.delete(change.id)) return gone(change.id);
        this.add(-1);
        return { value: this.value };
      case "sweep":
        return this.sweep();
      case "forceRelease": {
        const released = leases.size;
        leases.clear();
        this.value = 0;
        return { value: 0, released };
      }
    }
  }

  private hold(id: string, ttlMs: number): ChangeResult {
    const expiresAt = this.now + ttlMs;
    this.life.leases.set(id, expiresAt);
    return { value: this.value, lease: { id, expiresAt } };
  }

  private sweep(): ChangeResult {
    const expired = [...this.life.leases].filter(([, at]) => at <= this.now).map(([id]) => id);
    for (const id of expired) {
      this.life.leases.delete(id);
      this.add(-1);
    }
    const { busySince, dropped } = this.life;
    const ceiling = this.rules.maxBusyMs;
    const over = busySince !== undefined && this.now >= busySince + ceiling;
    const drop = ceiling > 0 && this.value > 0 && !dropped && over;
    if (drop) this.life.dropped = true;
    return { value: this.value, expired: expired.length, dropped: drop };
  }
}

function gone(id: string): Error {
  return new NotFoundError(
    `lease ${id} is not held: it expired, was released, or the pod's count reached 0`,
  );
}

/**
 * The pod counter's decision for one batch of changes to one pod, as they would apply one by one:
 * each change's answer, and the one write (count label and annotation, leases, busy-since, the
 * ceiling's mark and the autoscaler hints) that makes the pod say so. Pure: the pod and the
 * clock come in.
 */
export function decidePod(
  pod: PodState,
  changes: PodChange[],
  now: number,
  rules: PodRules,
): PodDecision {
  const life = readPodLife(pod.labels, pod.annotations);
  const before = readCount(storedOf(pod, rules, life.dropped), rules);
  const math = new PodMath(before, life, rules, now);
  const results = changes.map((c) => math.apply(c));
  const reads = changes.every((c) => c.kind === "count" && c.delta === 0);
  if (reads) return { results, write: undefined };
  return { results, write: writeOf(pod, { before, dropped: life.dropped }, math, rules) };
}

// The one write that makes the pod carry the batch's outcome; undefined when it does already.
function writeOf(
  pod: PodState,
  was: { before: number; dropped: boolean },
  math: PodMath,
  rules: PodRules,
): CountWrite | undefined {
  const after = math.value;
  const next = math.life;
  if (after <= 0) Object.assign(next, { busySince: undefined, dropped: false });
  else next.busySince ??= math.now;
  const count = storedCount(after, rules);
  const labels = {
    [rules.label]: next.dropped ? storedCount(0, rules).label : count.label,
    [DROPPED]: next.dropped ? "true" : null,
  };
  const hinted = { before: was.dropped ? 0 : was.before, after: next.dropped ? 0 : after };
  const since = next.busySince;
  const annotations = {
    ...hintWrites(pod.annotations, hinted, rules),
    [rules.label]: count.annotation,
    [LEASES]: writeLeases(next.leases),
    [BUSY_SINCE]: since === undefined ? null : new Date(since).toISOString(),
  };
  const same =
    Object.entries(labels).every(([k, v]) => (pod.labels[k] ?? null) === v) &&
    Object.entries(annotations).every(([k, v]) => (pod.annotations[k] ?? null) === v);
  return same ? undefined : { labels, annotations };
}
