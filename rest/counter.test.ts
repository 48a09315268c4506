import { expect } from "chai";
import { ttlSeconds } from "./counter.js";
import { ProblemError } from "./Problem.js";

describe("ttlSeconds", () => {
  it("reads bare seconds and durations of h, m and s", () => {
    expect(ttlSeconds("900")).to.equal(900);
    expect(ttlSeconds("15m")).to.equal(900);
    expect(ttlSeconds("1h30m5s")).to.equal(5405);
    expect(ttlSeconds("168h")).to.equal(604_800);
  });

  it("refuses what is not one, and what is outside 1 s to 7 days, naming ttl", () => {
    for (const bad of ["", "0", "0s", "8d", "1.5h", "169h", "604801", "9999999h", "m", "5s1m"]) {
      expect(() => ttlSeconds(bad), bad)
        .to.throw(ProblemError)
        .with.nested.property("problem.errors[0].field", "ttl");
    }
  });
});
