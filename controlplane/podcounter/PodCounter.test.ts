import { expect } from "chai";
import { createLogger } from "../../common/pinoLogger.js";
import { PermissionDeniedError } from "../auth/Caller.js";
import { NotFoundError } from "../watchers/errors.js";
import type { CounterPods, CountWrite, PodState } from "./CounterPods.js";
import { DELETION_COST, DO_NOT_DISRUPT, SAFE_TO_EVICT } from "./hints.js";
import { PodCounter } from "./PodCounter.js";

const KEY = "active-jobs";

/** Pods in memory, written as the apiserver would: resourceVersion as precondition. */
class FakePods implements CounterPods {
  readonly pods = new Map<string, PodState>();
  reads = 0;
  writes = 0;
  /** While set, every read and write waits for it. */
  gate: Promise<void> | undefined;
  /** Before each of the next `meddle` writes, someone else changes the pod. */
  meddle = 0;
  /** The next write fails with this. */
  failNext: Error | undefined;

  add(
    name: string,
    uid = `uid-${name}`,
    labels: Record<string, string> = {},
    annotations: Record<string, string> = {},
  ): void {
    this.pods.set(`ns/${name}`, { uid, resourceVersion: "1", labels, annotations });
  }

  annotations(name: string): Record<string, string> {
    return this.pods.get(`ns/${name}`)?.annotations ?? {};
  }

  label(name: string): string | undefined {
    return this.pods.get(`ns/${name}`)?.labels[KEY];
  }

  async read(namespace: string, name: string): Promise<PodState> {
    this.reads++;
    await this.gate;
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new NotFoundError(`pod ${namespace}/${name} not found`);
    return structuredClone(pod);
  }

  async write(
    namespace: string,
    name: string,
    resourceVersion: string,
    count: CountWrite,
  ): Promise<PodState | undefined> {
    this.writes++;
    await this.gate;
    const key = `${namespace}/${name}`;
    const pod = this.pods.get(key);
    if (!pod) throw new NotFoundError(`pod ${key} not found`);
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    if (this.meddle > 0) {
      this.meddle--;
      this.update(pod, { labels: { [KEY]: "5" }, annotations: { [KEY]: "5" } });
    }
    if (pod.resourceVersion !== resourceVersion) return undefined;
    this.update(pod, count);
    return structuredClone(pod);
  }

  private update(pod: PodState, count: CountWrite): void {
    for (const [where, key, value] of [
      ...Object.entries(count.labels).map(([k, v]) => [pod.labels, k, v] as const),
      ...Object.entries(count.annotations).map(([k, v]) => [pod.annotations, k, v] as const),
    ] as const) {
      if (value === null) Reflect.deleteProperty(where, key);
      else where[key] = value;
    }
    pod.resourceVersion = String(Number(pod.resourceVersion) + 1);
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function counter(
  pods: FakePods,
  hints = { autoscalerHints: false, podDeletionCost: false },
): { counter: PodCounter; patches: () => number } {
  let patches = 0;
  const c = new PodCounter(pods, {
    label: KEY,
    removeOnZero: true,
    allowNegative: false,
    maxBusyMs: 0,
    ...hints,
    log: createLogger("silent", "test"),
    onPatch: () => patches++,
  });
  return { counter: c, patches: () => patches };
}

const op = (
  name: string,
  delta: number,
  extra: object = {},
): Parameters<PodCounter["apply"]>[0] => ({
  namespace: "ns",
  name,
  change: { kind: "count", delta },
  ...extra,
});

/** The count a change answers. */
const valueOf = (c: PodCounter, o: Parameters<PodCounter["apply"]>[0]): Promise<number> =>
  c.apply(o).then((r) => r.value);

async function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => v,
    (e: unknown) => e,
  );
}

describe("PodCounter", () => {
  it("answers 100 concurrent increments 1..100 with two writes: the first, and one for all that queued behind it", async () => {
    const pods = new FakePods();
    pods.add("a");
    const { counter: c, patches } = counter(pods);
    const g = gate();
    pods.gate = g.promise;
    const results = Array.from({ length: 100 }, () => valueOf(c, op("a", 1)));
    g.open();
    const values = await Promise.all(results);
    expect(values.sort((x, y) => x - y)).to.deep.equal(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(pods.label("a")).to.equal("100");
    expect(pods.writes).to.equal(2);
    expect(patches(), "onPatch per write").to.equal(2);
    expect(pods.reads, "the pod as written is reused").to.equal(1);
  });

  it("writes the autoscaler hints in the count's own patches, no write more, and restores the pod's own at zero", async () => {
    const pods = new FakePods();
    pods.add("a", "u", {}, { [SAFE_TO_EVICT]: "true" });
    const { counter: c } = counter(pods, { autoscalerHints: true, podDeletionCost: true });
    for (let round = 0; round < 2; round++) {
      const g = gate();
      pods.gate = g.promise;
      const ups = Array.from({ length: 50 }, () => valueOf(c, op("a", 1)));
      g.open();
      await Promise.all(ups);
      expect(pods.annotations("a")).to.include({
        [KEY]: "50",
        [SAFE_TO_EVICT]: "false",
        [DO_NOT_DISRUPT]: "true",
        [DELETION_COST]: "50",
      });
      await Promise.all(Array.from({ length: 50 }, () => valueOf(c, op("a", -1))));
      expect(pods.annotations("a")).to.deep.equal({ [SAFE_TO_EVICT]: "true" });
    }
    expect(pods.writes, "as many writes as the count alone takes").to.equal(8);
  });

  it("reads without writing, and reuses the pod it wrote for the next batch", async () => {
    const pods = new FakePods();
    pods.add("a", "u", { [KEY]: "3" });
    const { counter: c } = counter(pods);
    expect(await valueOf(c, op("a", 0))).to.equal(3);
    expect(pods.writes).to.equal(0);
    expect(await valueOf(c, op("a", 1))).to.equal(4);
    expect(await valueOf(c, op("a", -1))).to.equal(3);
    expect(pods.reads).to.equal(1);
    expect(pods.writes).to.equal(2);
  });

  it("on a conflict reads the pod again and applies the batch to what it finds", async () => {
    const pods = new FakePods();
    pods.add("a");
    const { counter: c, patches } = counter(pods);
    pods.meddle = 2;
    expect(await valueOf(c, op("a", 1))).to.equal(6);
    expect(pods.label("a")).to.equal("6");
    expect(pods.reads).to.equal(3);
    expect(patches()).to.equal(3);
  });

  it("gives up after 20 conflicts in a row, and the next call starts afresh", async () => {
    const pods = new FakePods();
    pods.add("a");
    const { counter: c } = counter(pods);
    pods.meddle = 20;
    const err = await outcome(valueOf(c, op("a", 1)));
    expect(String(err)).to.match(/20 conflicting writes in a row/);
    expect(await valueOf(c, op("a", 1))).to.equal(6);
  });

  it("fails a batch whose write fails, then reads the pod again for the next", async () => {
    const pods = new FakePods();
    pods.add("a");
    const { counter: c } = counter(pods);
    expect(await valueOf(c, op("a", 1))).to.equal(1);
    pods.failNext = new Error("the apiserver did not answer");
    const g = gate();
    pods.gate = g.promise;
    const failing = valueOf(c, op("a", 1));
    const queued = [valueOf(c, op("a", 1)), valueOf(c, op("a", 1))];
    g.open();
    expect(String(await outcome(failing))).to.match(/did not answer/);
    expect((await Promise.all(queued)).sort()).to.deep.equal([2, 3]);
    expect(pods.reads).to.equal(2);
  });

  it("keeps one queue per pod: a pod whose call hangs holds back no other pod", async () => {
    const pods = new FakePods();
    pods.add("a");
    pods.add("b");
    const { counter: c } = counter(pods);
    const g = gate();
    pods.gate = g.promise;
    const stuck = valueOf(c, op("a", 1));
    pods.gate = undefined;
    expect(await valueOf(c, op("b", 1))).to.equal(1);
    expect(await valueOf(c, op("b", 1))).to.equal(2);
    g.open();
    expect(await stuck).to.equal(1);
  });

  it("fails alone an operation bound to another pod of the same name", async () => {
    const pods = new FakePods();
    pods.add("a", "now");
    const { counter: c } = counter(pods);
    const g = gate();
    pods.gate = g.promise;
    const own = valueOf(c, op("a", 1, { uid: "now" }));
    const stale = valueOf(c, op("a", 1, { uid: "before" }));
    const anyone = valueOf(c, op("a", 1));
    g.open();
    expect(await own).to.equal(1);
    expect(await outcome(stale)).to.be.instanceOf(PermissionDeniedError);
    expect(await anyone).to.equal(2);
    expect(pods.label("a")).to.equal("2");
  });

  it("answers a retried request id from the first answer, applying it once", async () => {
    const pods = new FakePods();
    pods.add("a");
    const { counter: c } = counter(pods);
    expect(await valueOf(c, op("a", 1, { requestId: "r1" }))).to.equal(1);
    expect(await valueOf(c, op("a", 1, { requestId: "r1" }))).to.equal(1);
    expect(await valueOf(c, op("a", 1, { requestId: "r2" }))).to.equal(2);
    expect(pods.label("a")).to.equal("2");
  });

  it("answers NotFound for a pod that does not exist", async () => {
    const { counter: c } = counter(new FakePods());
    expect(await outcome(valueOf(c, op("gone", 1)))).to.be.instanceOf(NotFoundError);
  });
});
