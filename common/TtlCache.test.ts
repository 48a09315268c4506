import { expect } from "chai";
import { TtlCache } from "./TtlCache.js";

describe("TtlCache", () => {
  it("forgets entries when they expire, and the oldest when full", () => {
    let now = 0;
    const cache = new TtlCache<string>(2, () => now);
    cache.set("a", "1", 100);
    cache.set("b", "2", 10);
    now = 20;
    expect(cache.get("b")).to.equal(undefined);
    expect(cache.get("a")).to.equal("1");
    cache.set("c", "3", 100);
    cache.set("d", "4", 100);
    expect(cache.get("a")).to.equal(undefined);
    expect([cache.get("c"), cache.get("d")]).to.deep.equal(["3", "4"]);
  });

  it("does not keep what has no time to live", () => {
    const cache = new TtlCache<number>(5);
    cache.set("x", 1, 0);
    expect(cache.get("x")).to.equal(undefined);
  });
});
