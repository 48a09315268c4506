import { expect } from "chai";
import { createLogger } from "./pinoLogger.js";
import { runGroup, type Part } from "./runGroup.js";

const log = createLogger("silent", "test");

function untilAborted(name: string, stopped: string[]): Part {
  return {
    name,
    run: (signal) =>
      new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => {
          stopped.push(name);
          resolve();
        }),
      ),
  };
}

describe("runGroup", () => {
  it("stops every part when the outer signal aborts, and resolves", async () => {
    const stopped: string[] = [];
    const outer = new AbortController();
    const done = runGroup(
      [untilAborted("a", stopped), untilAborted("b", stopped)],
      outer.signal,
      log,
    );
    outer.abort();
    await done;
    expect(stopped).to.have.members(["a", "b"]);
  });

  it("stops the others when one part fails, and rejects with that failure", async () => {
    const stopped: string[] = [];
    const failing: Part = { name: "bad", run: () => Promise.reject(new Error("port in use")) };
    const outcome = await runGroup(
      [untilAborted("a", stopped), failing],
      new AbortController().signal,
      log,
    ).then(
      () => "resolved",
      (err: unknown) => (err as Error).message,
    );
    expect(outcome).to.equal("port in use");
    expect(stopped).to.deep.equal(["a"]);
  });

  it("rejects within its bound after a failure, though a part is still stopping", async () => {
    const stuck: Part = { name: "stuck", run: () => new Promise<void>(() => {}) };
    const failing: Part = { name: "bad", run: () => Promise.reject(new Error("port in use")) };
    const began = Date.now();
    const outcome = await runGroup([stuck, failing], new AbortController().signal, log, 100).then(
      () => "resolved",
      (err: unknown) => (err as Error).message,
    );
    expect(outcome).to.equal("port in use");
    expect(Date.now() - began).to.be.within(90, 1000);
  });

  it("hands its parts an aborted signal when the outer one aborted before it started", async () => {
    const seen: boolean[] = [];
    const part: Part = {
      name: "a",
      run: (signal) => Promise.resolve(void seen.push(signal.aborted)),
    };
    await runGroup([part], AbortSignal.abort(), log);
    expect(seen).to.deep.equal([true]);
  });
});
