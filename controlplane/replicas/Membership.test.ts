import { expect } from "chai";
import { pino } from "pino";
import { freshDatabase } from "../../test/support/storeFixture.js";
import { testStoreEngines } from "../../test/support/storeEngines.js";
import { waitFor } from "../../test/cluster/wait.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import type { MemberRepo } from "../store/MemberRepo.js";
import type { Store } from "../store/Store.js";
import { Membership, replicaId } from "./Membership.js";

const log = pino({ level: "silent" });

describe("replicaId", () => {
  it("sorts as bytes in the order the replicas started", () => {
    const ids = [1, 2_000, 1_700_000_000_000, 4_000_000_000_000].map((t) => replicaId(t));
    expect([...ids].sort()).to.deep.equal(ids);
    expect(replicaId(5)).to.not.equal(replicaId(5));
  });
});

// Three replicas, each with its own pool on one database: the oldest leads.
describe("Membership on PostgreSQL @postgres", function () {
  let stores: Store[] = [];

  before(function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it("lets the oldest replica alive lead, one at a time; the next oldest leads once it stops or dies", async () => {
    const url = await freshDatabase("members");
    stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ kind: "postgres", url })));
    const changes: boolean[][] = [[], [], []];
    // Made a few milliseconds apart, so that a is the oldest, then b, then c.
    const replicas: Membership[] = [];
    for (const [i, s] of stores.entries()) {
      await new Promise((r) => setTimeout(r, 3));
      const replica = new Membership(s.members as MemberRepo, log, { intervalMs: 50, ttlMs: 500 });
      replica.onLeadingChange((leading) => changes[i]?.push(leading));
      replicas.push(replica);
    }
    const [a, b, c] = replicas as [Membership, Membership, Membership];
    // Before any has heard from the store, none leads.
    expect(replicas.map((r) => r.leading)).to.deep.equal([false, false, false]);
    const [stopA, stopB, stopC] = replicas.map(() => new AbortController()) as [
      AbortController,
      AbortController,
      AbortController,
    ];
    // The youngest starts first: it leads until the older ones are heard of.
    const running = [c.run(stopC.signal)];
    await c.until(true, AbortSignal.timeout(5000));
    running.push(b.run(stopB.signal), a.run(stopA.signal));
    const leaders = (): boolean[] => replicas.map((r) => r.leading);
    await waitFor("a to lead alone", () =>
      leaders().join() === "true,false,false" ? true : undefined,
    );
    // a stops: it leaves, and b leads at once, not after the TTL.
    stopA.abort();
    await running[2];
    const left = Date.now();
    await b.until(true, AbortSignal.timeout(5000));
    expect(Date.now() - left).to.be.below(400);
    expect(leaders()).to.deep.equal([false, true, false]);
    // b dies: it stops saying it is alive, without leaving (its store is gone), and c leads
    // once b is overdue.
    const died = Date.now();
    await stores.splice(1, 1)[0]?.close();
    stopB.abort();
    await running[1];
    await c.until(true, AbortSignal.timeout(5000));
    expect(Date.now() - died).to.be.within(300, 2000);
    stopC.abort();
    await Promise.all(running);
    expect(changes[0]).to.deep.equal([true, false]);
    expect(changes[2]?.slice(0, 2)).to.deep.equal([true, false]);
    expect(changes[2]?.[2]).to.equal(true);
  });

  it("a leader that cannot do its work stops saying it is alive: the next leads, until it can again", async () => {
    const url = await freshDatabase("members-able");
    stores = await Promise.all([1, 2].map(() => PostgresStore.open({ kind: "postgres", url })));
    let able = true;
    const options = { intervalMs: 50, ttlMs: 500 };
    const a = new Membership(stores[0]?.members as MemberRepo, log, {
      ...options,
      able: () => able,
    });
    await new Promise((r) => setTimeout(r, 3));
    const b = new Membership(stores[1]?.members as MemberRepo, log, options);
    const stop = new AbortController();
    const running = [a.run(stop.signal), b.run(stop.signal)];
    try {
      await a.until(true, AbortSignal.timeout(5000));
      // A few heartbeats, so that b has heard of a (its first answer may predate a's row).
      await new Promise((r) => setTimeout(r, 200));
      expect([a.leading, b.leading]).to.deep.equal([true, false]);
      // a's Job watch fails: it goes quiet, and b leads once a is overdue. a keeps its last
      // answer (it leads, as far as it knows), so both lead for a while: the store's
      // conditional writes and claims keep that safe.
      able = false;
      const quiet = Date.now();
      await b.until(true, AbortSignal.timeout(5000));
      expect(Date.now() - quiet).to.be.within(300, 2000);
      expect(a.leading).to.equal(true);
      // Able again, a says it is alive; being the oldest it leads, and b follows.
      able = true;
      await b.until(false, AbortSignal.timeout(5000));
      expect(a.leading).to.equal(true);
    } finally {
      stop.abort();
      await Promise.all(running);
    }
  });
});
