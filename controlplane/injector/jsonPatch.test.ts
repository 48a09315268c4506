import { expect } from "chai";
import fc from "fast-check";
import jsonpatch from "fast-json-patch";
import { diff } from "./jsonPatch.js";

// An independent RFC 6902 implementation applies what diff() derives. Its guard against
// "__proto__" is off, but JavaScript itself ignores a string assigned to an object's __proto__:
// the values below hold no such key, and a test of its own checks diff() with one.
function applied(before: unknown, after: unknown): unknown {
  const ops = diff(before, after);
  return jsonpatch.applyPatch(structuredClone(before), ops, true, false, false).newDocument;
}

// As the values travel, in JSON: -0 is 0 there.
const json = (maxDepth: number): fc.Arbitrary<unknown> =>
  fc
    .jsonValue({ maxDepth })
    .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
    .filter((v) => !JSON.stringify(v).includes('"__proto__":'));

describe("diff (JSON Patch by comparison)", () => {
  it("is empty for equal values", () => {
    expect(diff({ a: [1, { b: null }] }, { a: [1, { b: null }] })).to.deep.equal([]);
  });

  it("adds an element inserted at the front as one add", () => {
    expect(diff({ l: [{ n: "x" }] }, { l: [{ n: "new" }, { n: "x" }] })).to.deep.equal([
      { op: "add", path: "/l/0", value: { n: "new" } },
    ]);
  });

  it("adds a missing array whole", () => {
    expect(diff({ spec: {} }, { spec: { v: [1] } })).to.deep.equal([
      { op: "add", path: "/spec/v", value: [1] },
    ]);
  });

  it("escapes ~ and / in keys", () => {
    const ops = diff({ m: {} }, { m: { "jobhooks.dev/inject": "true", "a~b": 1 } });
    expect(ops.map((o) => o.path)).to.deep.equal(["/m/jobhooks.dev~1inject", "/m/a~0b"]);
    expect(applied({ m: {} }, { m: { "jobhooks.dev/inject": "true", "a~b": 1 } })).to.deep.equal({
      m: { "jobhooks.dev/inject": "true", "a~b": 1 },
    });
  });

  it("treats a __proto__ key as any other key", () => {
    const after = JSON.parse('{"m":{"__proto__":"x"}}') as unknown;
    expect(diff({ m: {} }, after)).to.deep.equal([{ op: "add", path: "/m/__proto__", value: "x" }]);
  });

  it("turns any JSON value into any other", () => {
    const values = json(4);
    fc.assert(
      fc.property(values, values, (a, b) => {
        expect(applied(a, b)).to.deep.equal(b);
      }),
      { numRuns: 500 },
    );
  });

  it("turns an array into any edit of it", () => {
    const arrays = fc
      .array(json(2), { maxLength: 8 })
      .chain((a) =>
        fc.tuple(fc.constant(a), fc.tuple(fc.nat(a.length), fc.nat(a.length), fc.array(json(2)))),
      );
    fc.assert(
      fc.property(arrays, ([a, [start, count, inserted]]) => {
        const b = [...a];
        b.splice(start, count, ...inserted);
        expect(applied({ a }, { a: b })).to.deep.equal({ a: b });
      }),
      { numRuns: 500 },
    );
  });
});
