import { expect } from "chai";
import { at, job, spec, watcher, webhook } from "../../test/support/watcherFixtures.js";
import { buildDeliveries } from "./buildDeliveries.js";
import { Outcome, PARKED_MS } from "./model.js";

describe("buildDeliveries and a disabled webhook", () => {
  const context = {
    job: job(),
    outcome: Outcome.SUCCEEDED,
    at: at(0),
    now: at(10),
    defaultTimeoutMs: 1000,
  };

  it("parks the rows of a disabled webhook, keeping their deadline; others are due now", () => {
    const hooks = new Map([
      ["hook", webhook("hook", { disabledAt: at(5) })],
      ["ok", webhook("ok")],
    ]);
    const w = watcher(
      "w",
      spec({
        triggers: [
          { webhookId: "hook", timeoutSeconds: 0 },
          { webhookId: "ok", timeoutSeconds: 0 },
        ],
      }),
    );
    const [parked, due] = buildDeliveries(w, (id) => hooks.get(id), context);
    expect(parked?.nextAttemptAt.getTime()).to.equal(PARKED_MS);
    expect(parked?.deadlineAt).to.deep.equal(at(1010));
    expect(due?.nextAttemptAt).to.deep.equal(at(10));
  });

  it("parks at the latest time a Date holds", () => {
    expect(new Date(PARKED_MS).getTime()).to.equal(PARKED_MS);
    expect(Number.isNaN(new Date(PARKED_MS + 1).getTime())).to.equal(true);
  });
});
