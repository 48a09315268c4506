import { expect } from "chai";
import { setImmediate as nextTurn } from "node:timers/promises";
import { StoreUnavailableError } from "../store/StoreHealth.js";
import type { AttemptChanges, AttemptRecorded } from "../store/WatcherRepo.js";
import { TriggerStatus } from "../watchers/model.js";
import { AttemptBatches } from "./AttemptBatches.js";

const OK: AttemptRecorded = { recorded: true, webhookDisabled: false };

function attempt(deliveryId: string): AttemptChanges {
  return {
    deliveryId,
    triggerId: "t",
    watcherId: "w",
    record: { status: TriggerStatus.CALLED, attempts: 1, lastError: "", calledAt: new Date(0) },
    at: new Date(0),
  };
}

/** A store that records each call's delivery ids and fails as `fail` says. */
function fakeRepo(fail: (ids: string[]) => Error | undefined = () => undefined): {
  calls: string[][];
  recordAttempts: (cs: readonly AttemptChanges[]) => Promise<AttemptRecorded[]>;
} {
  const calls: string[][] = [];
  return {
    calls,
    recordAttempts: (cs) => {
      const ids = cs.map((c) => c.deliveryId);
      calls.push(ids);
      const err = fail(ids);
      return err ? Promise.reject(err) : Promise.resolve(cs.map(() => OK));
    },
  };
}

describe("AttemptBatches", () => {
  it("writes the attempts added in one turn in one call, and resolves each once written", async () => {
    const repo = fakeRepo();
    const batches = new AttemptBatches(repo);
    const added = [batches.add(attempt("a"), ["w1"]), batches.add(attempt("b"), ["w2"])];
    expect(repo.calls).to.deep.equal([]);
    expect(await Promise.all(added)).to.deep.equal([OK, OK]);
    await batches.add(attempt("c"), ["w3"]);
    expect(repo.calls).to.deep.equal([["a", "b"], ["c"]]);
  });

  it("says a key is busy from its add until its batch is written", async () => {
    const batches = new AttemptBatches(fakeRepo());
    expect(batches.busy(["w1"])).to.equal(undefined);
    const written = batches.add(attempt("a"), ["w1", "w9"]);
    const busy = batches.busy(["w0", "w9"]);
    expect(busy).to.be.instanceOf(Promise);
    await busy;
    await written;
    expect(batches.busy(["w1", "w9"])).to.equal(undefined);
  });

  it("writes one batch after another, in the order they were added", async () => {
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: string[][] = [];
    const batches = new AttemptBatches({
      recordAttempts: async (cs) => {
        calls.push(cs.map((c) => c.deliveryId));
        if (calls.length === 1) await gate;
        return cs.map(() => OK);
      },
    });
    const first = batches.add(attempt("a"), ["w1"]);
    await nextTurn();
    const second = batches.add(attempt("b"), ["w2"]);
    await nextTurn();
    expect(calls).to.deep.equal([["a"]]);
    release();
    await Promise.all([first, second]);
    expect(calls).to.deep.equal([["a"], ["b"]]);
  });

  it("fails every attempt of a batch the store cannot take (an outage)", async () => {
    const repo = fakeRepo(() => new StoreUnavailableError("SQLITE_FULL: disk full"));
    const batches = new AttemptBatches(repo);
    const results = await Promise.allSettled([
      batches.add(attempt("a"), ["w1"]),
      batches.add(attempt("b"), ["w2"]),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    expect(repo.calls).to.deep.equal([["a", "b"]]);
    expect(batches.busy(["w1", "w2"])).to.equal(undefined);
  });

  it("writes each alone after another failure, so one bad attempt fails alone", async () => {
    const repo = fakeRepo((ids) => (ids.includes("bad") ? new Error("a bug") : undefined));
    const batches = new AttemptBatches(repo);
    const results = await Promise.allSettled([
      batches.add(attempt("a"), ["w1"]),
      batches.add(attempt("bad"), ["w2"]),
      batches.add(attempt("c"), ["w3"]),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    expect(repo.calls).to.deep.equal([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  });
});
