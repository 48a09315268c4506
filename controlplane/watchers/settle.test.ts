import { expect } from "chai";
import { Outcome, TriggerStatus as T, WatcherStatus as W } from "./model.js";
import { spec, watcher, withStatus } from "../../test/support/watcherFixtures.js";
import { decideOutcome, settledStatus, settleTrigger } from "./settle.js";

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

describe("settleTrigger", () => {
  const triggers = [
    { webhookId: "a", timeoutSeconds: 0 },
    { webhookId: "b", timeoutSeconds: 0 },
  ];
  const delivering = withStatus(watcher("w1", spec({ triggers }), { jobUid: "u" }), W.PROCESSING);

  it("stays PROCESSING while another trigger is NOT_CALLED", () => {
    expect(settleTrigger(delivering, "w1.t1", T.CALLED, [delivering])).to.deep.equal({});
  });

  it("settles the last trigger: PARTIALLY_COMPLETED, and the Job is owed its label", () => {
    const one = {
      ...delivering,
      triggers: delivering.triggers.map((t, i) => (i === 0 ? { ...t, status: T.CALLED } : t)),
    };
    expect(settleTrigger(one, "w1.t2", T.TIMEOUT, [one])).to.deep.equal({
      status: W.PARTIALLY_COMPLETED,
      label: { uid: "u", namespace: "ns", name: "job" },
    });
  });

  it("owes no label while another watcher of the Job is open", () => {
    const single = withStatus(watcher("w1", spec(), { jobUid: "u" }), W.PROCESSING);
    const other = withStatus(watcher("w2"), W.PENDING, "u");
    expect(settleTrigger(single, "w1.t1", T.FAILED, [single, other])).to.deep.equal({
      status: W.FAILED,
    });
  });
});
