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

// A handler whose store can be switched off: it records what it applied, in order.
function handler(): {
  applied: string[];
  down: { value: boolean };
  h: ConstructorParameters<typeof OwedEvents>[0];
} {
  const applied: string[] = [];
  const down = { value: false };
  const guard = (what: string): void => {
    if (down.value) throw new Error("SQLITE_FULL");
    applied.push(what);
  };
  return {
    applied,
    down,
    h: {
      upsert: (j) => guard(`upsert ${j.uid}@${j.resourceVersion}`),
      remove: (j) => guard(`remove ${j.uid}`),
      synced: (jobs) => guard(`synced ${jobs.size}`),
    },
  };
}

const log = pino({ level: "silent" });

describe("OwedEvents", () => {
  it("applies events at once while the handler works", () => {
    const { applied, h } = handler();
    const owed = new OwedEvents(h, log);
    owed.apply({ kind: "upsert", job: job("a") });
    owed.synced(new Map());
    expect(applied).to.deep.equal(["upsert a@0", "synced 0"]);
    expect(owed.size).to.equal(0);
  });

  it("keeps what failed and applies it, in order per Job, once the handler works again", () => {
    const { applied, down, h } = handler();
    const owed = new OwedEvents(h, log);
    down.value = true;
    owed.apply({ kind: "upsert", job: job("a", 0) });
    owed.apply({ kind: "upsert", job: job("a", 1) }); // replaces the older summary
    owed.apply({ kind: "remove", job: job("a", 1) });
    owed.apply({ kind: "upsert", job: job("b") });
    owed.synced(new Map([["b", job("b")]]));
    expect(owed.size).to.equal(3);
    owed.retry(new Map());
    expect(applied).to.deep.equal([]);

    down.value = false;
    owed.retry(new Map([["b", job("b")]]));
    expect(applied).to.deep.equal(["upsert a@1", "remove a", "upsert b@0", "synced 1"]);
    expect(owed.size).to.equal(0);
  });

  it("queues a new event of a Job behind the owed ones, even when the handler works again", () => {
    const { applied, down, h } = handler();
    const owed = new OwedEvents(h, log);
    down.value = true;
    owed.apply({ kind: "upsert", job: job("a", 1) });
    down.value = false;
    owed.apply({ kind: "remove", job: job("a", 1) });
    expect(applied).to.deep.equal(["upsert a@1", "remove a"]);
    expect(owed.size).to.equal(0);
  });
});
