import { expect } from "chai";
import { at } from "../../test/support/watcherFixtures.js";
import { healthStatus } from "./healthCondition.js";

describe("healthStatus", () => {
  it("says Disabled True, since when it fails and how to enable it, while disabled", () => {
    const h = healthStatus(
      { id: "h1", failingSince: at(0), disabledAt: at(2000) },
      undefined,
      at(3000),
    );
    expect(h).to.deep.include({
      disabledAt: at(2000).toISOString(),
      failingSince: at(0).toISOString(),
    });
    expect(h.condition).to.include({
      type: "Disabled",
      status: "True",
      reason: "FailingTooLong",
      lastTransitionTime: at(3000).toISOString(),
    });
    expect(h.condition.message).to.contain(`failing since ${at(0).toISOString()}`);
    expect(h.condition.message).to.contain("POST /webhooks/h1/enable");
  });

  it("says False when enabled; the transition time stays while the status does", () => {
    const on = healthStatus(
      { id: "h1", failingSince: undefined, disabledAt: undefined },
      undefined,
      at(1),
    );
    expect(on).to.deep.include({ disabledAt: null, failingSince: null });
    expect(on.condition).to.include({ status: "False", reason: "Enabled" });
    const still = healthStatus(
      { id: "h1", failingSince: at(5), disabledAt: undefined },
      on.condition,
      at(9),
    );
    expect(still.condition.lastTransitionTime).to.equal(at(1).toISOString());
    expect(still.failingSince).to.equal(at(5).toISOString());
  });
});
