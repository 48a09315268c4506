import { expect } from "chai";
import { countLabel, parseCount } from "./countLabel.js";

const seed = { allowNegative: false, removeOnZero: true };

describe("countLabel", () => {
  it("counts up from no label and answers each caller its own value", () => {
    expect(countLabel(undefined, [1, 1, 1], seed)).to.deep.equal({ after: [1, 2, 3], label: "3" });
  });

  it("removes the label at zero, or writes 0 when told to keep it", () => {
    expect(countLabel("2", [-1, -1], seed)).to.deep.equal({ after: [1, 0], label: null });
    expect(countLabel("1", [-1], { ...seed, removeOnZero: false })).to.deep.equal({
      after: [0],
      label: "0",
    });
  });

  it("stays at zero for a decrement at zero, each in turn, unless negatives are allowed", () => {
    expect(countLabel(undefined, [-1, 1, -1, -1], seed)).to.deep.equal({
      after: [0, 1, 0, 0],
      label: undefined,
    });
    expect(countLabel(undefined, [-1, -1], { ...seed, allowNegative: true })).to.deep.equal({
      after: [-1, -2],
      label: "-2",
    });
  });

  it("changes nothing for reads (delta 0) or when the result is what the label says", () => {
    expect(countLabel("4", [0], seed)).to.deep.equal({ after: [4], label: undefined });
    expect(countLabel("1", [1, -1], seed)).to.deep.equal({ after: [2, 1], label: undefined });
  });

  it("reads anything but an integer as 0", () => {
    for (const v of ["", "x", "1.5", "1e3", undefined])
      expect(parseCount(v), String(v)).to.equal(0);
    expect(parseCount("-3")).to.equal(-3);
  });
});
