import { expect } from "chai";
import { Waker } from "./Waker.js";

describe("Waker", () => {
  it("sleeps for the time given", async () => {
    const started = Date.now();
    await new Waker().sleep(30, new AbortController().signal);
    expect(Date.now() - started).to.be.at.least(25);
  });

  it("is cut short by wake(), and a wake() before the sleep is not lost", async () => {
    const waker = new Waker();
    const started = Date.now();
    setTimeout(() => waker.wake(), 10);
    await waker.sleep(undefined, new AbortController().signal);
    waker.wake();
    await waker.sleep(10_000, new AbortController().signal);
    expect(Date.now() - started).to.be.below(1000);
  });

  it("ends when the signal aborts", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 10);
    await new Waker().sleep(10_000, abort.signal);
  });
});
