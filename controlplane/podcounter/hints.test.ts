import { expect } from "chai";
import {
  DELETION_COST,
  DO_NOT_DISRUPT,
  hintWrites,
  readSaved,
  SAFE_TO_EVICT,
  SAVED_HINTS,
} from "./hints.js";

const hints = { autoscalerHints: true, podDeletionCost: false };
const all = { autoscalerHints: true, podDeletionCost: true };
const off = { autoscalerHints: false, podDeletionCost: false };
const up = (before: number, after: number): { before: number; after: number } => ({
  before,
  after,
});

/** A pod's annotations after a merge patch of `writes` (null removes). */
function apply(
  annotations: Record<string, string>,
  writes: Record<string, string | null>,
): Record<string, string> {
  const next = { ...annotations };
  for (const [key, value] of Object.entries(writes)) {
    if (value === null) Reflect.deleteProperty(next, key);
    else next[key] = value;
  }
  return next;
}

describe("hintWrites: the autoscaler hints beside the count", () => {
  it("sets both hints when a busy period starts and saves that the pod had neither", () => {
    expect(hintWrites({}, up(0, 1), hints)).to.deep.equal({
      [SAFE_TO_EVICT]: "false",
      [DO_NOT_DISRUPT]: "true",
      [SAVED_HINTS]: JSON.stringify({ [SAFE_TO_EVICT]: null, [DO_NOT_DISRUPT]: null }),
    });
  });

  it("removes them at zero, with the saved record", () => {
    const busy = apply({}, hintWrites({}, up(0, 3), hints));
    expect(hintWrites(busy, up(3, 0), hints)).to.deep.equal({
      [SAFE_TO_EVICT]: null,
      [DO_NOT_DISRUPT]: null,
      [SAVED_HINTS]: null,
    });
  });

  it("writes nothing more while the count moves above zero", () => {
    const busy = apply({}, hintWrites({}, up(0, 1), hints));
    expect(hintWrites(busy, up(1, 5), hints)).to.deep.equal({});
    expect(hintWrites(busy, up(5, 2), hints)).to.deep.equal({});
  });

  it("restores the pod's own values at zero instead of deleting them", () => {
    const own = { [SAFE_TO_EVICT]: "true", [DO_NOT_DISRUPT]: "false", other: "x" };
    const busy = apply(own, hintWrites(own, up(0, 1), hints));
    expect(busy).to.include({ [SAFE_TO_EVICT]: "false", [DO_NOT_DISRUPT]: "true", other: "x" });
    expect(apply(busy, hintWrites(busy, up(1, 0), hints))).to.deep.equal(own);
  });

  it("leaves a hint the pod already had at our value unwritten, and keeps it at zero", () => {
    const own = { [DO_NOT_DISRUPT]: "true" };
    const start = hintWrites(own, up(0, 1), hints);
    expect(start).to.not.have.property(DO_NOT_DISRUPT);
    const busy = apply(own, start);
    expect(apply(busy, hintWrites(busy, up(1, 0), hints))).to.deep.equal(own);
  });

  it("goes 0 → n → 0 several times, each time back to the pod's own values", () => {
    let pod: Record<string, string> = { [SAFE_TO_EVICT]: "true" };
    for (let round = 0; round < 3; round++) {
      pod = apply(pod, hintWrites(pod, up(0, 2), hints));
      pod = apply(pod, hintWrites(pod, up(2, 1), hints));
      expect(pod).to.include({ [SAFE_TO_EVICT]: "false", [DO_NOT_DISRUPT]: "true" });
      pod = apply(pod, hintWrites(pod, up(1, 0), hints));
      expect(pod).to.deep.equal({ [SAFE_TO_EVICT]: "true" });
    }
  });

  it("leaves alone a hint the owner changed while busy, then and at zero", () => {
    let pod = apply({}, hintWrites({}, up(0, 1), hints));
    pod[SAFE_TO_EVICT] = "true"; // the owner lets autoscalers take it after all
    const next = hintWrites(pod, up(1, 2), hints);
    expect(next).to.not.have.property(SAFE_TO_EVICT);
    pod = apply(pod, next);
    expect(JSON.parse(pod[SAVED_HINTS] ?? "")).to.deep.equal({ [DO_NOT_DISRUPT]: null });
    pod = apply(pod, hintWrites(pod, up(2, 0), hints));
    expect(pod).to.deep.equal({ [SAFE_TO_EVICT]: "true" });
  });

  it("keeps an empty saved record while busy once the owner took every hint, and drops it at zero", () => {
    let pod = apply({}, hintWrites({}, up(0, 1), hints));
    Reflect.deleteProperty(pod, SAFE_TO_EVICT);
    Reflect.deleteProperty(pod, DO_NOT_DISRUPT);
    pod = apply(pod, hintWrites(pod, up(1, 2), hints));
    expect(pod).to.deep.equal({ [SAVED_HINTS]: "{}" });
    expect(hintWrites(pod, up(2, 3), hints), "not set again this period").to.deep.equal({});
    expect(apply(pod, hintWrites(pod, up(3, 0), hints))).to.deep.equal({});
  });

  it("sets the deletion cost from the count, and restores the pod's own at zero", () => {
    const own = { [DELETION_COST]: "-5" };
    let pod = apply(own, hintWrites(own, up(0, 1), all));
    expect(pod).to.include({ [DELETION_COST]: "1", [SAFE_TO_EVICT]: "false" });
    expect(JSON.parse(pod[SAVED_HINTS] ?? "")).to.include({ [DELETION_COST]: "-5" });
    const more = hintWrites(pod, up(1, 7), all);
    expect(more).to.deep.equal({ [DELETION_COST]: "7" });
    pod = apply(pod, more);
    pod = apply(pod, hintWrites(pod, up(7, 0), all));
    expect(pod).to.deep.equal(own);
  });

  it("caps the deletion cost at the largest int32", () => {
    expect(hintWrites({}, up(0, 3_000_000_000), all)).to.include({
      [DELETION_COST]: "2147483647",
    });
  });

  it("leaves a deletion cost the owner changed while busy", () => {
    let pod = apply({}, hintWrites({}, up(0, 2), all));
    pod[DELETION_COST] = "100";
    pod = apply(pod, hintWrites(pod, up(2, 3), all));
    expect(pod[DELETION_COST]).to.equal("100");
    pod = apply(pod, hintWrites(pod, up(3, 0), all));
    expect(pod).to.deep.equal({ [DELETION_COST]: "100" });
  });

  it("sets nothing with both flags off, and nothing below zero", () => {
    expect(hintWrites({}, up(0, 4), off)).to.deep.equal({});
    expect(hintWrites({}, up(0, -1), all)).to.deep.equal({});
    expect(hintWrites({ [SAFE_TO_EVICT]: "true" }, up(-2, 0), all)).to.deep.equal({});
  });

  it("restores at the next write the hints whose flag was turned off while busy", () => {
    let pod = apply({ [DELETION_COST]: "9" }, hintWrites({ [DELETION_COST]: "9" }, up(0, 1), all));
    pod = apply(pod, hintWrites(pod, up(1, 2), hints));
    expect(pod[DELETION_COST]).to.equal("9");
    expect(pod[SAFE_TO_EVICT]).to.equal("false");
    pod = apply(pod, hintWrites(pod, up(2, 3), off));
    expect(pod).to.deep.equal({ [DELETION_COST]: "9", [SAVED_HINTS]: "{}" });
    expect(apply(pod, hintWrites(pod, up(3, 0), off))).to.deep.equal({ [DELETION_COST]: "9" });
  });

  it("sets a hint newly turned on from the next busy period, not in the middle of one", () => {
    let pod = apply({}, hintWrites({}, up(0, 1), hints));
    expect(hintWrites(pod, up(1, 2), all)).to.deep.equal({});
    pod = apply(pod, hintWrites(pod, up(1, 0), all));
    expect(hintWrites(pod, up(0, 1), all)).to.include({ [DELETION_COST]: "1" });
  });

  it("sets the hints on a pod already busy before they were turned on", () => {
    expect(hintWrites({}, up(4, 5), hints)).to.include({ [SAFE_TO_EVICT]: "false" });
  });

  it("reads a saved record edited by hand as 'the pod had none': at zero ours go, nothing is left set", () => {
    for (const bad of ["{", "[]", "null", '{"other": "x"}', `{"${SAFE_TO_EVICT}": 1}`]) {
      expect(readSaved(bad), bad).to.deep.equal({
        [SAFE_TO_EVICT]: null,
        [DO_NOT_DISRUPT]: null,
        [DELETION_COST]: null,
      });
      const pod = { [SAFE_TO_EVICT]: "false", [DO_NOT_DISRUPT]: "true", [SAVED_HINTS]: bad };
      expect(apply(pod, hintWrites(pod, up(1, 0), hints)), bad).to.deep.equal({});
    }
    expect(readSaved(undefined)).to.equal(undefined);
  });
});
