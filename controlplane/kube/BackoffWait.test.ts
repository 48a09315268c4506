import { expect } from "chai";
import { BackoffWait } from "./BackoffWait.js";

async function timed<T>(p: Promise<T>): Promise<{ result: T; ms: number }> {
  const began = Date.now();
  const result = await p;
  return { result, ms: Date.now() - began };
}

describe("BackoffWait", () => {
  it("waits until its end when nothing cuts it", async () => {
    const { result, ms } = await timed(
      new BackoffWait().wait(Date.now() + 80, new AbortController().signal),
    );
    expect(result).to.equal("done");
    expect(ms).to.be.within(70, 500);
  });

  it("ends early when cut, but not before the earliest time given", async () => {
    const wait = new BackoffWait();
    const began = Date.now();
    const waiting = timed(wait.wait(began + 10_000, new AbortController().signal));
    const retryAt = wait.cut(began + 100);
    expect(retryAt).to.equal(began + 100);
    const { result, ms } = await waiting;
    expect(result).to.equal("early");
    expect(ms).to.be.within(90, 1000);
  });

  it("ends at once when cut past the earliest time", async () => {
    const wait = new BackoffWait();
    const waiting = timed(wait.wait(Date.now() + 10_000, new AbortController().signal));
    expect(wait.cut(Date.now() - 1)).to.be.a("number");
    expect((await waiting).ms).to.be.below(500);
  });

  it("is cut once per wait, never lengthened, and a cut with no wait under way does nothing", async () => {
    const wait = new BackoffWait();
    expect(wait.cut(0)).to.equal(undefined);
    const began = Date.now();
    const waiting = timed(wait.wait(began + 300, new AbortController().signal));
    // Past its end: nothing to shorten.
    expect(wait.cut(began + 5000)).to.equal(undefined);
    expect(wait.cut(began + 150)).to.equal(began + 150);
    expect(wait.cut(began)).to.equal(undefined);
    expect((await waiting).ms).to.be.within(140, 290);
    // The next wait is not cut by calls made before it began.
    const next = await timed(wait.wait(Date.now() + 60, new AbortController().signal));
    expect(next.result).to.equal("done");
  });

  it("ends when its signal aborts", async () => {
    const controller = new AbortController();
    const waiting = timed(new BackoffWait().wait(Date.now() + 10_000, controller.signal));
    controller.abort();
    expect((await waiting).ms).to.be.below(100);
    const aborted = await timed(new BackoffWait().wait(Date.now() + 10_000, controller.signal));
    expect(aborted.ms).to.be.below(100);
  });
});
