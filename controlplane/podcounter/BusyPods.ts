import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { Waker } from "../../common/Waker.js";
import { NotFoundError } from "../../contract/errors.js";
import type { PodState, WatchedPod } from "./CounterPods.js";
import { podCount, type ChangeResult, type PodChange, type PodRules } from "./decidePod.js";
import { nextDue, readPodLife } from "./podLife.js";

export interface BusyPodsOptions {
  /** The counter the sweeps go through (late-bound: the counter reports to this). */
  counter: () => {
    apply(op: { namespace: string; name: string; change: PodChange }): Promise<ChangeResult>;
  };
  /** The pods to look after, from the apiserver (busy, or dropped by the ceiling). */
  list: () => Promise<WatchedPod[]>;
  rules: PodRules;
  log: Logger;
  /** How often the list is read again; default 10 s. */
  resyncMs?: number;
  /** After a failed sweep, the next try; default 5 s. */
  retryMs?: number;
  now?: () => number;
  onExpired?: (leases: number) => void;
  onDropped?: (pod: { namespace: string; name: string; count: number }) => void;
  /** Busy pods and their leases, whenever either changes (gauges). */
  onTally?: (tally: { busy: number; leases: number }) => void;
}

interface Entry {
  namespace: string;
  name: string;
  count: number;
  leases: number;
  timer?: NodeJS.Timeout;
  /** The resync round in which this entry was last seen; older ones are forgotten. */
  round: number;
}

// setTimeout's longest delay; a later due time is looked at again then.
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The controlplane's side of busy pods that cannot get stuck. It knows each busy pod (from every
 * write of the counter, and from a list of the apiserver's at start and every `resyncMs`, so a
 * restarted or another replica finds the leases written before) and, when its first lease
 * expires or its busy period reaches --max-busy, sends the pod a sweep through the counter. The
 * sweep is decided from the pod as it is then (decidePod.ts): a lease renewed meanwhile, by this
 * replica or another, is not ended. Two replicas sweeping one pod conflict harmlessly: the
 * second reads the pod again and finds nothing due.
 */
export class BusyPods implements Part {
  readonly name = "busy-pods";
  private readonly pods = new Map<string, Entry>();
  private round = 0;
  private stopped = false;
  private readonly tally = { busy: 0, leases: 0 };

  constructor(private readonly o: BusyPodsOptions) {}

  /** Pods whose count is above zero as this replica last saw them, and their leases. */
  counts(): { busy: number; leases: number } {
    return { ...this.tally };
  }

  /** The pod as the counter left it, or as listed. */
  seen(namespace: string, name: string, pod: PodState): void {
    const key = `${namespace}/${name}`;
    this.forget(key);
    const life = readPodLife(pod.labels, pod.annotations);
    const count = podCount(pod, this.o.rules);
    if (count <= 0 && life.leases.size === 0) {
      this.o.onTally?.(this.counts());
      return;
    }
    const entry: Entry = { namespace, name, count, leases: life.leases.size, round: this.round };
    this.pods.set(key, entry);
    this.add(entry, 1);
    const due = nextDue(life, this.o.rules.maxBusyMs);
    if (due !== undefined) this.schedule(key, entry, due);
  }

  async run(signal: AbortSignal): Promise<void> {
    const waker = new Waker();
    while (!signal.aborted) {
      await this.resync();
      await waker.sleep(this.o.resyncMs ?? 10_000, signal);
    }
    this.stopped = true;
    for (const e of this.pods.values()) clearTimeout(e.timer);
  }

  private async resync(): Promise<void> {
    const round = ++this.round;
    try {
      const listed = await this.o.list();
      for (const p of listed) this.seen(p.namespace, p.name, p.state);
      // Not listed, and not written since the list began: idle now, or gone.
      for (const [key, e] of this.pods) if (e.round < round) this.forget(key);
      this.o.onTally?.(this.counts());
    } catch (err) {
      this.o.log.warn({ err }, "could not list the busy pods; trying again later");
    }
  }

  private forget(key: string): void {
    const e = this.pods.get(key);
    if (!e) return;
    clearTimeout(e.timer);
    this.pods.delete(key);
    this.add(e, -1);
  }

  private add(e: Entry, sign: 1 | -1): void {
    if (e.count > 0) this.tally.busy += sign;
    this.tally.leases += sign * e.leases;
    if (sign > 0) this.o.onTally?.(this.counts());
  }

  private schedule(key: string, entry: Entry, due: number): void {
    if (this.stopped) return;
    const delay = Math.min(Math.max(0, due - (this.o.now ?? Date.now)()), MAX_DELAY_MS);
    entry.timer = setTimeout(() => void this.sweep(key, entry), delay);
  }

  private async sweep(key: string, entry: Entry): Promise<void> {
    const { namespace, name } = entry;
    try {
      const r = await this.o.counter().apply({ namespace, name, change: { kind: "sweep" } });
      if (r.expired) this.o.onExpired?.(r.expired);
      if (r.dropped) {
        this.o.log.warn({ pod: key, count: r.value }, "busy past --max-busy: protection dropped");
        this.o.onDropped?.({ namespace, name, count: r.value });
      }
    } catch (err) {
      this.failed(key, entry, err);
    }
  }

  // A pod that is gone is forgotten; another failure is tried again a little later.
  private failed(key: string, entry: Entry, err: unknown): void {
    const current = this.pods.get(key) === entry;
    if (err instanceof NotFoundError) {
      if (current) this.forget(key);
      this.o.onTally?.(this.counts());
      return;
    }
    this.o.log.warn({ err, pod: key }, "could not end a pod's expired leases; trying again");
    const later = (this.o.now ?? Date.now)() + (this.o.retryMs ?? 5000);
    if (current) this.schedule(key, entry, later);
  }
}
