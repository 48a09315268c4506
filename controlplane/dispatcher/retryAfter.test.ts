import { expect } from "chai";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "./retryAfter.js";

describe("parseRetryAfter", () => {
  const now = new Date("2025-03-01T12:00:00.000Z");
  const table: [string | null, number | undefined][] = [
    [null, undefined],
    ["", undefined],
    ["0", 0],
    ["2", 2000],
    [" 120 ", 120_000],
    ["3600", 3_600_000],
    ["3601", MAX_RETRY_AFTER_MS],
    ["86400", MAX_RETRY_AFTER_MS],
    ["99999999999999999999999", MAX_RETRY_AFTER_MS],
    ["-1", undefined],
    ["1.5", undefined],
    ["+5", undefined],
    ["1e3", undefined],
    ["0x10", undefined],
    ["soon", undefined],
    // IMF-fixdate
    ["Sat, 01 Mar 2025 12:00:30 GMT", 30_000],
    ["Sat, 01 Mar 2025 12:00:00 GMT", 0],
    ["Sat, 01 Mar 2025 11:59:59 GMT", undefined],
    ["Sun, 02 Mar 2025 12:00:00 GMT", MAX_RETRY_AFTER_MS],
    ["Sat, 01 Mar 2025 13:00:00 GMT", 3_600_000],
    // obsolete RFC 850, two-digit year
    ["Saturday, 01-Mar-25 12:01:00 GMT", 60_000],
    ["Saturday, 01-Mar-94 12:01:00 GMT", undefined],
    // obsolete asctime, UTC although it does not say so
    ["Sat Mar  1 12:00:10 2025", 10_000],
    ["Sat Mar 01 12:00:10 2025", 10_000],
    // malformed dates
    ["Sat, 01 Mar 2025 12:00:30 UTC", undefined],
    ["Sat, 1 Mar 2025 12:00:30 GMT", undefined],
    ["sat, 01 mar 2025 12:00:30 gmt", undefined],
    ["Sat, 31 Feb 2025 12:00:30 GMT", undefined],
    ["Sat, 01 Mar 2025 24:00:30 GMT", undefined],
    ["Sat, 01 Mar 2025 12:60:30 GMT", undefined],
    ["2025-03-01T12:00:30Z", undefined],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} → ${String(expected)}`, () => {
      expect(parseRetryAfter(value, now)).to.equal(expected);
    });
  }

  it("counts a leap second as the first second of the next minute", () => {
    const before = new Date("2016-12-31T23:59:50.000Z");
    expect(parseRetryAfter("Sat, 31 Dec 2016 23:59:60 GMT", before)).to.equal(10_000);
  });

  it("reads a two-digit year as at most 50 years ahead", () => {
    const in2099 = new Date("2099-12-31T23:59:00.000Z");
    expect(parseRetryAfter("Thursday, 31-Dec-99 23:59:30 GMT", in2099)).to.equal(30_000);
  });
});
