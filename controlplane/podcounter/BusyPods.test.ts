import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../../common/pinoLogger.js";
import { NotFoundError } from "../../contract/errors.js";
import { BusyPods } from "./BusyPods.js";
import type { PodState, WatchedPod } from "./CounterPods.js";
import type { ChangeResult, PodChange } from "./decidePod.js";
import { BUSY_SINCE, LEASES } from "./podLife.js";

const KEY = "active-jobs";
const RULES = {
  label: KEY,
  removeOnZero: true,
  allowNegative: false,
  autoscalerHints: false,
  podDeletionCost: false,
  maxBusyMs: 0,
};

function busyPod(count: number, leases: Record<string, number> = {}): PodState {
  return {
    uid: "u",
    resourceVersion: "1",
    labels: { [KEY]: String(count) },
    annotations: { [KEY]: String(count), [LEASES]: JSON.stringify(leases) },
  };
}

interface Sweep {
  name: string;
  at: number;
}

function busyPods(o: {
  list?: () => Promise<WatchedPod[]>;
  answer?: (name: string) => Promise<ChangeResult>;
  maxBusyMs?: number;
}): { busy: BusyPods; sweeps: Sweep[]; tallies: { busy: number; leases: number }[] } {
  const sweeps: Sweep[] = [];
  const tallies: { busy: number; leases: number }[] = [];
  const busy = new BusyPods({
    counter: () => ({
      apply: (op: { name: string; change: PodChange }) => {
        sweeps.push({ name: op.name, at: Date.now() });
        return o.answer?.(op.name) ?? Promise.resolve({ value: 0, expired: 1 });
      },
    }),
    list: o.list ?? (() => Promise.resolve([])),
    rules: { ...RULES, maxBusyMs: o.maxBusyMs ?? 0 },
    log: createLogger("silent", "test"),
    retryMs: 30,
    resyncMs: 50,
    onTally: (t) => tallies.push(t),
  });
  return { busy, sweeps, tallies };
}

describe("BusyPods", () => {
  it("sweeps a pod when its first lease expires, not before, and counts busy pods and leases", async () => {
    const { busy, sweeps, tallies } = busyPods({});
    const due = Date.now() + 80;
    busy.seen("ns", "a", busyPod(2, { x: due, y: due + 60_000 }));
    busy.seen("ns", "b", busyPod(1));
    expect(tallies.at(-1)).to.deep.equal({ busy: 2, leases: 2 });
    await sleep(40);
    expect(sweeps).to.deep.equal([]);
    await sleep(100);
    expect(sweeps.map((s) => s.name)).to.deep.equal(["a"]);
    expect(sweeps[0]?.at).to.be.at.least(due);
    busy.seen("ns", "a", { ...busyPod(0), annotations: {} }); // the sweep's outcome: idle
    expect(busy.counts()).to.deep.equal({ busy: 1, leases: 0 });
    const stop = new AbortController();
    stop.abort();
    await busy.run(stop.signal);
  });

  it("finds the pods of a list at start (leases written before a restart), and forgets those no longer listed", async () => {
    let listed: WatchedPod[] = [
      { namespace: "ns", name: "old", state: busyPod(1, { z: Date.now() + 50 }) },
      { namespace: "ns", name: "gone", state: busyPod(3) },
    ];
    const { busy, sweeps } = busyPods({ list: () => Promise.resolve(listed) });
    const stop = new AbortController();
    const running = busy.run(stop.signal);
    await sleep(20);
    expect(busy.counts()).to.deep.equal({ busy: 2, leases: 1 });
    await sleep(80);
    // Each round lists the pod as it was (this list does not follow the sweeps): swept again.
    expect(new Set(sweeps.map((s) => s.name))).to.deep.equal(new Set(["old"]));
    listed = [];
    await sleep(80); // the next round lists nothing: both are idle now, or gone
    expect(busy.counts()).to.deep.equal({ busy: 0, leases: 0 });
    stop.abort();
    await running;
  });

  it("sweeps at the ceiling a pod busy since long before, and not again once dropped", async () => {
    const { busy, sweeps } = busyPods({ maxBusyMs: 50 });
    const p = busyPod(1);
    p.annotations[BUSY_SINCE] = new Date(Date.now() - 30).toISOString();
    busy.seen("ns", "long", p);
    await sleep(60);
    expect(sweeps.map((s) => s.name)).to.deep.equal(["long"]);
    busy.seen("ns", "long", { ...p, labels: { "jobhooks.dev/protection-dropped": "true" } });
    await sleep(80);
    expect(sweeps).to.have.length(1);
    const stop = new AbortController();
    stop.abort();
    await busy.run(stop.signal);
  });

  it("forgets a pod that is gone, and tries again after a failure", async () => {
    let fail = true;
    const { busy, sweeps } = busyPods({
      answer: (name) =>
        name === "gone"
          ? Promise.reject(new NotFoundError("pod ns/gone not found"))
          : fail
            ? ((fail = false), Promise.reject(new Error("apiserver unavailable")))
            : Promise.resolve({ value: 0, expired: 1 }),
    });
    busy.seen("ns", "gone", busyPod(1, { a: Date.now() }));
    busy.seen("ns", "flaky", busyPod(1, { a: Date.now() }));
    await sleep(100);
    expect(sweeps.map((s) => s.name)).to.deep.equal(["gone", "flaky", "flaky"]);
    expect(busy.counts()).to.deep.equal({ busy: 1, leases: 1 });
    const stop = new AbortController();
    stop.abort();
    await busy.run(stop.signal);
  });
});
