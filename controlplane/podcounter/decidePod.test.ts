import { expect } from "chai";
import type { PodState } from "./CounterPods.js";
import { decidePod, podCount, type PodChange, type PodRules } from "./decidePod.js";
import { DO_NOT_DISRUPT, SAFE_TO_EVICT, SAVED_HINTS } from "./hints.js";
import { BUSY_SINCE, DROPPED, LEASES, MAX_LEASES, readLeases } from "./podLife.js";

const KEY = "active-jobs";
const NOW = Date.parse("2026-12-03T10:00:00.000Z");
const RULES: PodRules = {
  label: KEY,
  removeOnZero: true,
  allowNegative: false,
  autoscalerHints: true,
  podDeletionCost: false,
  maxBusyMs: 0,
};

function pod(
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): PodState {
  return { uid: "u", resourceVersion: "1", labels, annotations };
}

/** The pod after the decision's write (null removes), as the apiserver's merge patch leaves it. */
function after(p: PodState, changes: PodChange[], now = NOW, rules = RULES): PodState {
  const { write } = decidePod(p, changes, now, rules);
  const next = structuredClone(p);
  for (const [into, from] of [
    [next.labels, write?.labels ?? {}],
    [next.annotations, write?.annotations ?? {}],
  ] as const) {
    for (const [k, v] of Object.entries(from)) {
      if (v === null) Reflect.deleteProperty(into, k);
      else into[k] = v;
    }
  }
  return next;
}

const values = (p: PodState, changes: PodChange[], now = NOW, rules = RULES): unknown[] =>
  decidePod(p, changes, now, rules).results.map((r) => (r instanceof Error ? r.message : r.value));

describe("decidePod", () => {
  it("holds a lease as a unit of the count, with its expiry, the busy period's start and the hints, in one write", () => {
    const { results, write } = decidePod(
      pod(),
      [{ kind: "acquire", id: "a", ttlMs: 5000 }],
      NOW,
      RULES,
    );
    expect(results).to.deep.equal([{ value: 1, lease: { id: "a", expiresAt: NOW + 5000 } }]);
    expect(write?.labels).to.deep.equal({ [KEY]: "1", [DROPPED]: null });
    expect(write?.annotations).to.include({
      [KEY]: "1",
      [LEASES]: JSON.stringify({ a: NOW + 5000 }),
      [BUSY_SINCE]: "2026-12-03T10:00:00.000Z",
      [SAFE_TO_EVICT]: "false",
      [DO_NOT_DISRUPT]: "true",
    });
  });

  it("ends only expired leases in a sweep, and at zero clears every mark and restores the hints", () => {
    let p = after(pod(), [
      { kind: "acquire", id: "a", ttlMs: 5000 },
      { kind: "acquire", id: "b", ttlMs: 60_000 },
    ]);
    p = after(p, [{ kind: "sweep" }], NOW + 5000);
    expect(podCount(p, RULES)).to.equal(1);
    expect([...readLeases(p.annotations[LEASES]).keys()]).to.deep.equal(["b"]);
    const last = decidePod(p, [{ kind: "sweep" }], NOW + 60_000, RULES);
    expect(last.results).to.deep.equal([{ value: 0, expired: 1, dropped: false }]);
    p = after(p, [{ kind: "sweep" }], NOW + 60_000);
    expect(p).to.deep.equal(pod());
  });

  it("renews a held lease, and answers one no longer held as not found without changing the count", () => {
    const p = after(pod(), [{ kind: "acquire", id: "a", ttlMs: 1000 }]);
    const renewed = decidePod(p, [{ kind: "renew", id: "a", ttlMs: 9000 }], NOW + 500, RULES);
    expect(renewed.results).to.deep.equal([
      { value: 1, lease: { id: "a", expiresAt: NOW + 9500 } },
    ]);
    expect(
      values(p, [
        { kind: "release", id: "zz" },
        { kind: "renew", id: "zz", ttlMs: 1 },
      ]),
    ).to.deep.equal([
      "lease zz is not held: it expired, was released, or the pod's count reached 0",
      "lease zz is not held: it expired, was released, or the pod's count reached 0",
    ]);
    expect(decidePod(p, [{ kind: "release", id: "zz" }], NOW, RULES).write).to.equal(undefined);
    expect(
      values(p, [
        { kind: "release", id: "a" },
        { kind: "release", id: "a" },
      ]),
    ).to.deep.equal([
      0,
      "lease a is not held: it expired, was released, or the pod's count reached 0",
    ]);
  });

  it("ends the leases too when plain decrements bring the count to zero: nothing is left to hold", () => {
    const p = after(pod(), [
      { kind: "acquire", id: "a", ttlMs: 1000 },
      { kind: "count", delta: -1 },
    ]);
    expect(p.annotations).to.not.have.property(LEASES);
    expect(values(p, [{ kind: "sweep" }], NOW + 2000)).to.deep.equal([0]);
  });

  it("refuses a lease past the most one pod may hold", () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_LEASES }, (_, i) => [`l${i}`, NOW + 1e6]),
    );
    const p = pod(
      { [KEY]: String(MAX_LEASES) },
      { [KEY]: String(MAX_LEASES), [LEASES]: JSON.stringify(many) },
    );
    const [r] = decidePod(p, [{ kind: "acquire", id: "x", ttlMs: 1 }], NOW, RULES).results;
    expect(r).to.be.instanceOf(Error);
    expect((r as Error).message).to.contain(`${MAX_LEASES} leases`);
  });

  it("drops the protection of a pod busy past --max-busy: no label, hints restored, the count kept; back after zero", () => {
    const rules = { ...RULES, maxBusyMs: 10_000 };
    let p = after(pod({}, { [SAFE_TO_EVICT]: "true" }), [{ kind: "count", delta: 1 }], NOW, rules);
    expect(decidePod(p, [{ kind: "sweep" }], NOW + 9999, rules).write).to.equal(undefined);
    const drop = decidePod(p, [{ kind: "sweep" }], NOW + 10_000, rules);
    expect(drop.results).to.deep.equal([{ value: 1, expired: 0, dropped: true }]);
    p = after(p, [{ kind: "sweep" }], NOW + 10_000, rules);
    expect(p.labels).to.deep.equal({ [DROPPED]: "true" });
    expect(p.annotations).to.deep.equal({
      [KEY]: "1",
      [SAFE_TO_EVICT]: "true",
      [BUSY_SINCE]: "2026-12-03T10:00:00.000Z",
    });
    expect(podCount(p, rules)).to.equal(1);
    // Counting goes on unprotected; a second sweep drops nothing more.
    p = after(p, [{ kind: "count", delta: 1 }], NOW + 11_000, rules);
    expect(p.labels).to.deep.equal({ [DROPPED]: "true" });
    expect(values(p, [{ kind: "sweep" }], NOW + 20_000, rules)).to.deep.equal([2]);
    expect(decidePod(p, [{ kind: "sweep" }], NOW + 20_000, rules).results[0]).to.include({
      dropped: false,
    });
    p = after(
      p,
      [
        { kind: "count", delta: -1 },
        { kind: "count", delta: -1 },
      ],
      NOW + 12_000,
      rules,
    );
    expect(p).to.deep.equal(pod({}, { [SAFE_TO_EVICT]: "true" }));
    p = after(p, [{ kind: "count", delta: 1 }], NOW + 13_000, rules);
    expect(p.labels).to.deep.equal({ [KEY]: "1" });
    expect(p.annotations).to.include({
      [SAFE_TO_EVICT]: "false",
      [BUSY_SINCE]: "2026-12-03T10:00:13.000Z",
    });
    expect(p.annotations).to.have.property(SAVED_HINTS);
  });

  it("force-releases to zero whatever the count and leases, saying how many leases ended", () => {
    const p = after(pod(), [
      { kind: "count", delta: 1 },
      { kind: "acquire", id: "a", ttlMs: 1000 },
      { kind: "acquire", id: "b", ttlMs: 1000 },
    ]);
    const { results } = decidePod(p, [{ kind: "forceRelease" }], NOW, RULES);
    expect(results).to.deep.equal([{ value: 0, released: 2 }]);
    expect(after(p, [{ kind: "forceRelease" }])).to.deep.equal(pod());
  });

  it("never writes for reads, nor for a sweep with nothing due", () => {
    const p = after(pod(), [{ kind: "acquire", id: "a", ttlMs: 5000 }]);
    expect(decidePod(p, [{ kind: "count", delta: 0 }], NOW + 1e9, RULES).write).to.equal(undefined);
    expect(decidePod(p, [{ kind: "sweep" }], NOW + 1000, RULES).write).to.equal(undefined);
  });

  it("reads a leases annotation edited by hand into garbage as none", () => {
    expect(readLeases("{not json").size).to.equal(0);
    expect(readLeases('["a"]').size).to.equal(0);
    expect([...readLeases('{"ok":5,"bad id":1,"x":"soon"}')]).to.deep.equal([["ok", 5]]);
  });
});
