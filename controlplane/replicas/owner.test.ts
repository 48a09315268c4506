import { expect } from "chai";
import { ownerOf } from "./owner.js";

describe("ownerOf (rendezvous hashing)", () => {
  const members = ["replica-a", "replica-b", "replica-c"];
  const keys = Array.from({ length: 3000 }, (_, i) => `uid-${i}`);

  it("gives every key to one member, the same whatever order the members are listed in", () => {
    for (const key of keys.slice(0, 200)) {
      expect(ownerOf(members, key)).to.equal(ownerOf([...members].reverse(), key));
    }
    expect(ownerOf([], "uid-1")).to.equal(undefined);
    expect(ownerOf(["only"], "uid-1")).to.equal("only");
  });

  it("shares the keys out about evenly", () => {
    const counts = new Map<string, number>();
    for (const key of keys) {
      const o = ownerOf(members, key) ?? "";
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    for (const m of members) expect(counts.get(m)).to.be.within(850, 1150);
  });

  it("moves only the keys of a member that leaves", () => {
    const left = ["replica-a", "replica-c"];
    for (const key of keys) {
      const before = ownerOf(members, key);
      if (before !== "replica-b") expect(ownerOf(left, key)).to.equal(before);
    }
  });
});
