import { expect } from "chai";
import { callSignal } from "./callSignal.js";

describe("callSignal", () => {
  it("aborts when its caller does, not as a timeout", () => {
    const caller = new AbortController();
    const call = callSignal(caller.signal, 60_000);
    caller.abort();
    expect(call.signal.aborted).to.equal(true);
    expect(call.timedOut).to.equal(false);
    call.done();
  });

  it("aborts after its timeout, as one", async () => {
    const call = callSignal(undefined, 20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(call.signal.aborted).to.equal(true);
    expect(call.timedOut).to.equal(true);
    call.done();
  });

  it("once answered, runs on without a timeout, still bound to its caller", async () => {
    const caller = new AbortController();
    const call = callSignal(caller.signal, 20);
    call.answered();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(call.signal.aborted).to.equal(false);
    caller.abort();
    expect(call.signal.aborted).to.equal(true);
    call.done();
  });

  it("once done, lets go of its caller's signal", () => {
    const caller = new AbortController();
    const call = callSignal(caller.signal, 60_000);
    call.done();
    caller.abort();
    expect(call.signal.aborted).to.equal(false);
  });

  it("starts aborted under a caller that already gave up", () => {
    const call = callSignal(AbortSignal.abort(), 60_000);
    expect(call.signal.aborted).to.equal(true);
    call.done();
  });
});
