import { expect } from "chai";
import { takePage } from "./takePage.js";

describe("takePage", () => {
  const sizes = (n: number): number => n;

  it("stops at the limit, and says more remain", () => {
    expect(takePage([1, 1, 1, 1], { limit: 3, maxSize: 100, sizeOf: sizes })).to.deep.equal({
      items: [1, 1, 1],
      more: true,
    });
  });

  it("stops before the item that would pass the size budget", () => {
    expect(takePage([2, 2, 2], { limit: 10, maxSize: 5, sizeOf: sizes })).to.deep.equal({
      items: [2, 2],
      more: true,
    });
  });

  it("always takes a first item, however big, so a list cannot get stuck", () => {
    expect(takePage([9, 1], { limit: 10, maxSize: 5, sizeOf: sizes })).to.deep.equal({
      items: [9],
      more: true,
    });
  });

  it("says nothing remains when the items run out", () => {
    expect(takePage([1, 2], { limit: 2, maxSize: 3, sizeOf: sizes })).to.deep.equal({
      items: [1, 2],
      more: false,
    });
    expect(takePage([], { limit: 2, maxSize: 3, sizeOf: sizes })).to.deep.equal({
      items: [],
      more: false,
    });
  });

  it("reads one item past the page and no further", () => {
    let read = 0;
    function* counted(): Generator<number> {
      for (;;) {
        read++;
        yield 1;
      }
    }
    takePage(counted(), { limit: 5, maxSize: 100, sizeOf: sizes });
    expect(read).to.equal(6);
  });
});
