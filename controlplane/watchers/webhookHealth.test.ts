import { expect } from "chai";
import { at } from "../../test/support/watcherFixtures.js";
import { decideHealth, isParked, PARKED_MS } from "./webhookHealth.js";

describe("decideHealth", () => {
  const healthy = { failingSince: undefined, disabledAt: undefined };
  const fail = (ms: number): { ok: boolean; calledAt: Date; at: Date } => ({
    ok: false,
    calledAt: at(ms - 100),
    at: at(ms),
  });

  it("a success clears failingSince and never disables", () => {
    expect(
      decideHealth({ failingSince: at(0), disabledAt: undefined }, { ...fail(9e9), ok: true }, 1),
    ).to.deep.equal({ failingSince: undefined, disable: false });
  });

  it("the first failure starts failingSince at its start; later ones keep it", () => {
    expect(decideHealth(healthy, fail(1000), 10_000)).to.deep.equal({
      failingSince: at(900),
      disable: false,
    });
    expect(decideHealth({ ...healthy, failingSince: at(900) }, fail(5000), 10_000)).to.deep.equal(
      { failingSince: at(900), disable: false },
    );
  });

  it("disables once failing for disableAfterMs, to the millisecond", () => {
    const failing = { ...healthy, failingSince: at(900) };
    expect(decideHealth(failing, fail(10_899), 10_000).disable).to.equal(false);
    expect(decideHealth(failing, fail(10_900), 10_000).disable).to.equal(true);
  });

  it("does not disable again, nor with disableAfterMs 0", () => {
    const disabled = { failingSince: at(0), disabledAt: at(5) };
    expect(decideHealth(disabled, fail(9e9), 10_000).disable).to.equal(false);
    expect(decideHealth({ ...healthy, failingSince: at(0) }, fail(9e9), 0).disable).to.equal(false);
  });

  it("a parked row is due at the latest time a Date holds", () => {
    expect(new Date(PARKED_MS).getTime()).to.equal(PARKED_MS);
    expect(isParked(new Date(PARKED_MS))).to.equal(true);
    expect(isParked(at(0))).to.equal(false);
  });
});
