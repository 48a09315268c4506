import { expect } from "chai";
import { countLabel, parseCount, readCount, storedCount } from "./countLabel.js";

const seed = { allowNegative: false, removeOnZero: true };
const negative = { allowNegative: true, removeOnZero: true };
const none = { label: undefined, annotation: undefined };
const both = (v: string): { label: string; annotation: string } => ({ label: v, annotation: v });

describe("countLabel", () => {
  it("counts up from nothing and answers each caller its own value", () => {
    expect(countLabel(none, [1, 1, 1], seed)).to.deep.equal({
      after: [1, 2, 3],
      write: both("3"),
    });
  });

  it("removes label and annotation at zero, or writes 0 in both when told to keep them", () => {
    expect(countLabel(both("2"), [-1, -1], seed)).to.deep.equal({
      after: [1, 0],
      write: { label: null, annotation: null },
    });
    expect(countLabel(both("1"), [-1], { ...seed, removeOnZero: false })).to.deep.equal({
      after: [0],
      write: both("0"),
    });
  });

  it("stays at zero for a decrement at zero, each in turn, unless negatives are allowed", () => {
    expect(countLabel(none, [-1, 1, -1, -1], seed)).to.deep.equal({
      after: [0, 1, 0, 0],
      write: undefined,
    });
    expect(countLabel(none, [-1, -1], negative)).to.deep.equal({
      after: [-1, -2],
      write: { label: null, annotation: "-2" },
    });
  });

  it("keeps a negative count in the annotation only; the label is as at zero", () => {
    expect(storedCount(-3, negative)).to.deep.equal({ label: null, annotation: "-3" });
    expect(storedCount(-3, { ...negative, removeOnZero: false })).to.deep.equal({
      label: "0",
      annotation: "-3",
    });
    expect(countLabel({ label: undefined, annotation: "-2" }, [1, 1, 1], negative)).to.deep.equal({
      after: [-1, 0, 1],
      write: both("1"),
    });
    expect(
      countLabel({ label: "0", annotation: "-1" }, [-1], { ...negative, removeOnZero: false }),
    ).to.deep.equal({ after: [-2], write: { label: "0", annotation: "-2" } });
  });

  it("changes nothing for reads (delta 0) or when the result is what the pod carries", () => {
    expect(countLabel(both("4"), [0], seed)).to.deep.equal({ after: [4], write: undefined });
    expect(countLabel({ label: "4", annotation: undefined }, [0], seed)).to.deep.equal({
      after: [4],
      write: undefined,
    });
    expect(countLabel(both("1"), [1, -1], seed)).to.deep.equal({ after: [2, 1], write: undefined });
  });

  it("takes the label's count where the label no longer shows the annotation's", () => {
    // Counted by pod-webhook-tracker, or before the annotation existed.
    expect(readCount({ label: "3", annotation: undefined }, seed)).to.equal(3);
    // The label set or removed by hand since.
    expect(readCount({ label: "7", annotation: "2" }, seed)).to.equal(7);
    expect(readCount({ label: undefined, annotation: "2" }, seed)).to.equal(0);
    // Below zero the label shows nothing, or 0: the annotation is the count.
    expect(readCount({ label: undefined, annotation: "-4" }, negative)).to.equal(-4);
    expect(readCount({ label: "0", annotation: "-4" }, negative)).to.equal(-4);
    expect(readCount({ label: "2", annotation: "-4" }, negative)).to.equal(2);
    // Without --allow-negative (turned off since), a count below zero reads as 0.
    expect(readCount({ label: undefined, annotation: "-4" }, seed)).to.equal(0);
    expect(readCount({ label: undefined, annotation: "x" }, negative)).to.equal(0);
  });

  it("reads anything but an integer as 0", () => {
    for (const v of ["", "x", "1.5", "1e3", undefined])
      expect(parseCount(v), String(v)).to.equal(0);
    expect(parseCount("-3")).to.equal(-3);
  });
});
