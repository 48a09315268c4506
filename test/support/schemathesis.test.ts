import { expect } from "chai";
import { summaryOf } from "./schemathesis.js";

describe("Schemathesis' report as the suite prints it", () => {
  const report = [
    "Schemathesis v4.32.5",
    "=================================== SUMMARY ===================================",
    "       Scenarios:    11",
    "API Operations:",
    "  Tested: 18",
    "Test cases:",
    "  3244 generated, 3244 passed",
    "Seed: 20261202",
    "============================= 2 warnings in 62.47s =============================",
    "",
  ].join("\n");

  it("keeps the scenarios and the summary", () => {
    const summary = summaryOf(report);
    expect(summary).to.include("Scenarios:    11");
    expect(summary).to.include("3244 generated, 3244 passed");
    expect(summary).to.include("Seed: 20261202");
  });

  it("drops the banners, whose closing one reads as a pytest run of no test", () => {
    expect(summaryOf(report)).not.to.match(/={3,}/);
    expect(summaryOf(report)).not.to.include("warnings in");
  });
});
