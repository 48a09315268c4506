import { expect } from "chai";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";

const lowest = (): number => 0;
const highest = (): number => 0.999999;
const middle = (): number => 0.5;

describe("backoffDelay", () => {
  it("doubles from the base, with the delay between half and all of it", () => {
    const policy: BackoffPolicy = { baseMs: 100, maxMs: 1000 };
    const low = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, lowest));
    const high = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, highest));
    expect(low).to.deep.equal([50, 100, 200, 400, 500, 500]);
    expect(high).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, policy, middle)).to.equal(300);
  });

  it("follows the documented default", () => {
    expect(DEFAULT_BACKOFF).to.deep.equal({ baseMs: 1000, maxMs: 300_000 });
    expect(backoffDelay(1, DEFAULT_BACKOFF, lowest)).to.equal(500);
    expect(backoffDelay(1, DEFAULT_BACKOFF, highest)).to.equal(1000);
    expect(backoffDelay(9, DEFAULT_BACKOFF, lowest)).to.equal(128_000);
    expect(backoffDelay(9, DEFAULT_BACKOFF, highest)).to.equal(256_000);
    expect(backoffDelay(10, DEFAULT_BACKOFF, lowest)).to.equal(150_000);
    expect(backoffDelay(10, DEFAULT_BACKOFF, highest)).to.equal(300_000);
    const firstTen = (random: () => number): number =>
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].reduce(
        (sum, n) => sum + backoffDelay(n, DEFAULT_BACKOFF, random),
        0,
      );
    expect(firstTen(lowest)).to.equal(405_500);
    expect(firstTen(highest)).to.equal(811_000);
  });

  it("stays at the cap for any number of failures", () => {
    for (const n of [11, 64, 1024, 1025, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(n, DEFAULT_BACKOFF, highest)).to.equal(300_000);
      expect(backoffDelay(n, DEFAULT_BACKOFF, lowest)).to.equal(150_000);
    }
  });

  it("uses Math.random by default and stays in range", () => {
    for (let i = 0; i < 100; i++) {
      expect(backoffDelay(4, DEFAULT_BACKOFF)).to.be.within(4000, 8000);
    }
  });

  it("throws for counts and policies that describe no wait", () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => backoffDelay(n, DEFAULT_BACKOFF)).to.throw(RangeError);
    }
    const policies: BackoffPolicy[] = [
      { baseMs: 0, maxMs: 1000 },
      { baseMs: -1, maxMs: 1000 },
      { baseMs: 1000, maxMs: 999 },
      { baseMs: 1000, maxMs: Number.POSITIVE_INFINITY },
      { baseMs: Number.NaN, maxMs: 1000 },
    ];
    for (const policy of policies) {
      expect(() => backoffDelay(1, policy), JSON.stringify(policy)).to.throw(RangeError);
    }
  });
});
