import { expect } from "chai";
import { Outcome, TriggerStatus as T, WatcherStatus as W } from "./model.js";
import { decideOutcome, settledStatus } from "./settle.js";

describe("settledStatus", () => {
  const cases: [T[], W][] = [
    [[T.NOT_CALLED], W.PROCESSING],
    [[T.CALLED, T.NOT_CALLED], W.PROCESSING],
    [[T.CALLED], W.COMPLETED],
    [[T.CALLED, T.CALLED], W.COMPLETED],
    [[T.CALLED, T.FAILED], W.PARTIALLY_COMPLETED],
    [[T.CALLED, T.TIMEOUT], W.PARTIALLY_COMPLETED],
    [[T.FAILED], W.FAILED],
    [[T.FAILED, T.TIMEOUT], W.FAILED],
    [[T.CALLED, T.CANCELLED], W.COMPLETED],
    [[], W.COMPLETED],
  ];
  for (const [triggers, status] of cases) {
    it(`[${triggers.join(", ")}] → ${status}`, () => {
      expect(settledStatus(triggers)).to.equal(status);
    });
  }
});

describe("decideOutcome", () => {
  it("notifies on the outcomes asked for", () => {
    expect(decideOutcome([Outcome.SUCCEEDED], Outcome.SUCCEEDED)).to.deep.equal({ kind: "notify" });
    expect(decideOutcome([Outcome.FAILED, Outcome.DELETED], Outcome.DELETED)).to.deep.equal({
      kind: "notify",
    });
  });

  it("ends FAILED with the outcome as reason otherwise", () => {
    expect(decideOutcome([Outcome.SUCCEEDED], Outcome.FAILED)).to.include({
      kind: "end",
      status: W.FAILED,
      reason: "JobFailed",
    });
    expect(decideOutcome([Outcome.SUCCEEDED], Outcome.DELETED)).to.include({
      reason: "JobDeleted",
    });
    expect(decideOutcome([Outcome.FAILED], Outcome.SUCCEEDED)).to.include({
      reason: "JobSucceeded",
    });
  });
});
