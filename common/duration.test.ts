import { expect } from "chai";
import { parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it("reads units and sums compound durations", () => {
    expect(parseDuration("500ms")).to.equal(500);
    expect(parseDuration("30s")).to.equal(30_000);
    expect(parseDuration("10m")).to.equal(600_000);
    expect(parseDuration("1h30m")).to.equal(5_400_000);
    expect(parseDuration("1.5s")).to.equal(1500);
    expect(parseDuration("0")).to.equal(0);
  });

  it("refuses what is not a duration", () => {
    for (const bad of ["", "10", "ten s", "5d", "1h 30m", "-1s", "1s2"]) {
      expect(() => parseDuration(bad), bad).to.throw(`invalid duration "${bad}"`);
    }
  });
});
