import { expect } from "chai";
import { classifyStatus, type StatusClass } from "./classifyStatus.js";

describe("classifyStatus", () => {
  const table: [number, StatusClass][] = [
    [100, "rejected"],
    [101, "rejected"],
    [199, "rejected"],
    [200, "delivered"],
    [201, "delivered"],
    [202, "delivered"],
    [204, "delivered"],
    [299, "delivered"],
    [300, "rejected"],
    [301, "rejected"],
    [302, "rejected"],
    [304, "rejected"],
    [307, "rejected"],
    [308, "rejected"],
    [400, "rejected"],
    [401, "rejected"],
    [403, "rejected"],
    [404, "rejected"],
    [405, "rejected"],
    [407, "rejected"],
    [408, "retry"],
    [409, "rejected"],
    [410, "rejected"],
    [413, "rejected"],
    [422, "rejected"],
    [425, "retry"],
    [429, "retry"],
    [451, "rejected"],
    [499, "rejected"],
    [500, "retry"],
    [501, "retry"],
    [502, "retry"],
    [503, "retry"],
    [504, "retry"],
    [599, "retry"],
    [600, "rejected"],
    [999, "rejected"],
    [0, "rejected"],
  ];
  for (const [status, expected] of table) {
    it(`${status} → ${expected}`, () => {
      expect(classifyStatus(status)).to.equal(expected);
    });
  }
});
