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

  it("has a read that overlapped an unwritten change to its keys wait for it and read again", async () => {
    const batches = new AttemptBatches(fakeRepo());
    expect(batches.endRead(batches.beginRead(), ["w1"])).to.equal(undefined);
    const ticket = batches.beginRead();
    const written = batches.add(attempt("a"), ["w1", "w9"]);
    const again = batches.endRead(ticket, ["w0", "w9"]);
    expect(again).to.be.instanceOf(Promise);
    await again;
    await written;
    expect(batches.endRead(batches.beginRead(), ["w1", "w9"])).to.equal(undefined);
  });

  it("has a read begun before a change to its keys read again, though the change is written", async () => {
    // On PostgreSQL a read is a query in flight: one begun before another decision's change was
    // committed may not see it, and deciding on it would miss that change (a Job left unlabelled
    // when the last two of its watchers end together).
    const batches = new AttemptBatches(fakeRepo());
    const ticket = batches.beginRead();
    await batches.add(attempt("a"), ["w1"]);
    expect(batches.endRead(ticket, ["w2"])).to.equal(undefined);
    const stale = batches.beginRead();
    const fresh = batches.beginRead();
    await batches.add(attempt("b"), ["w1"]);
    await nextTurn(); // its batch is done with
    expect(batches.endRead(stale, ["w1"])).to.be.instanceOf(Promise);
    expect(batches.endRead(batches.beginRead(), ["w1"])).to.equal(undefined);
    expect(batches.endRead(fresh, ["w1"])).to.be.instanceOf(Promise);
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
    expect(batches.endRead(batches.beginRead(), ["w1", "w2"])).to.equal(undefined);
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
