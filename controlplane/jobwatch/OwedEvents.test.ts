import { expect } from "chai";
import { pino } from "pino";
import type { JobSummary } from "./jobSummary.js";
import { OwedEvents } from "./OwedEvents.js";

function job(uid: string, succeeded = 0): JobSummary {
  return {
    uid,
    namespace: "ns",
    name: uid,
    resourceVersion: String(succeeded),
    createdAt: new Date(0),
    active: 0,
    succeeded,
    failed: 0,
    labels: {},
  };
}

// A handler whose store can be switched off: it records what it applied, in order. Each call
// takes a turn of the event loop, as a store across the network would.
function handler(): {
  applied: string[];
  down: { value: boolean };
  inFlight: { now: number; most: number };
  h: ConstructorParameters<typeof OwedEvents>[0];
} {
  const applied: string[] = [];
  const down = { value: false };
  const inFlight = { now: 0, most: 0 };
  const guard = async (what: string): Promise<void> => {
    inFlight.now++;
    inFlight.most = Math.max(inFlight.most, inFlight.now);
    await new Promise((r) => setImmediate(r));
    inFlight.now--;
    if (down.value) throw new Error("SQLITE_FULL");
    applied.push(what);
  };
  return {
    applied,
    down,
    inFlight,
    h: {
      upsert: (j) => guard(`upsert ${j.uid}@${j.resourceVersion}`),
      remove: (j) => guard(`remove ${j.uid}`),
      synced: (jobs) => guard(`synced ${jobs.size}`),
    },
  };
}

const log = pino({ level: "silent" });

describe("OwedEvents", () => {
  it("applies events while the handler works; a sync after the events before it", async () => {
    const { applied, h } = handler();
    const owed = new OwedEvents(h, log);
    owed.apply({ kind: "upsert", job: job("a") });
    owed.synced(new Map());
    await owed.idle();
    expect(applied).to.deep.equal(["upsert a@0", "synced 0"]);
    expect(owed.size).to.equal(0);
  });

  it("keeps one Job's events in order, and handles several Jobs at once up to its limit", async () => {
    const { applied, h, inFlight } = handler();
    const owed = new OwedEvents(h, log, { concurrency: 3 });
    for (const uid of ["a", "b", "c", "d", "e"]) {
      owed.apply({ kind: "upsert", job: job(uid, 1) });
      owed.apply({ kind: "remove", job: job(uid, 1) });
    }
    await owed.idle();
    expect(inFlight.most).to.equal(3);
    for (const uid of ["a", "b", "c", "d", "e"]) {
      const mine = applied.filter((a) => a.includes(` ${uid}`));
      expect(mine).to.deep.equal([`upsert ${uid}@1`, `remove ${uid}`]);
    }
  });

  it("lets a newer summary replace one not started yet, never one under way", async () => {
    const { applied, h } = handler();
    const owed = new OwedEvents(h, log);
    owed.apply({ kind: "upsert", job: job("a", 0) }); // starts at once
    owed.apply({ kind: "upsert", job: job("a", 1) });
    owed.apply({ kind: "upsert", job: job("a", 2) }); // replaces @1
    await owed.idle();
    expect(applied).to.deep.equal(["upsert a@0", "upsert a@2"]);
  });

  it("keeps what failed and applies it, in order per Job, once the handler works again", async () => {
    const { applied, down, h } = handler();
    let owedCalls = 0;
    const owed = new OwedEvents(h, log, { onOwed: () => owedCalls++ });
    down.value = true;
    owed.apply({ kind: "upsert", job: job("a", 0) });
    owed.apply({ kind: "upsert", job: job("a", 1) }); // replaces the older summary
    owed.apply({ kind: "remove", job: job("a", 1) });
    owed.apply({ kind: "upsert", job: job("b") });
    await owed.idle();
    owed.synced(new Map([["b", job("b")]]));
    await owed.idle();
    expect(owed.size).to.equal(3);
    expect(owedCalls).to.equal(1);
    owed.retry(new Map());
    await owed.idle();
    expect(applied).to.deep.equal([]);

    down.value = false;
    owed.retry(new Map([["b", job("b")]]));
    await owed.idle();
    expect(applied.slice(0, 3).sort()).to.deep.equal(
      ["upsert a@0", "upsert b@0", "upsert a@1"].sort(),
    );
    expect(applied.indexOf("upsert a@0")).to.be.lessThan(applied.indexOf("upsert a@1"));
    expect(applied.indexOf("upsert a@1")).to.be.lessThan(applied.indexOf("remove a"));
    expect(applied.at(-1)).to.equal("synced 1");
    expect(owed.size).to.equal(0);
  });

  it("queues a new event of a Job behind the owed ones, even when the handler works again", async () => {
    const { applied, down, h } = handler();
    const owed = new OwedEvents(h, log);
    down.value = true;
    owed.apply({ kind: "upsert", job: job("a", 1) });
    await owed.idle();
    down.value = false;
    owed.apply({ kind: "remove", job: job("a", 1) });
    await owed.idle();
    expect(applied).to.deep.equal([]);
    owed.retry(new Map());
    await owed.idle();
    expect(applied).to.deep.equal(["upsert a@1", "remove a"]);
    expect(owed.size).to.equal(0);
  });
});
