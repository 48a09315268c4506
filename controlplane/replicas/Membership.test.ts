import { expect } from "chai";
import { pino } from "pino";
import { freshDatabase } from "../../test/support/storeFixture.js";
import { testStoreEngines } from "../../test/support/storeEngines.js";
import { waitFor } from "../../test/cluster/wait.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import type { MemberRepo } from "../store/MemberRepo.js";
import type { Store } from "../store/Store.js";
import { Membership } from "./Membership.js";

const log = pino({ level: "silent" });
const uids = Array.from({ length: 300 }, (_, i) => `uid-${i}`);

// Two replicas, each with its own pool on one database, share out the Jobs.
describe("Membership on PostgreSQL @postgres", function () {
  let stores: Store[] = [];

  before(function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it("gives each Job to one replica; a replica that stops leaves its share to the other at once", async () => {
    const url = await freshDatabase("members");
    stores = await Promise.all([1, 2].map(() => PostgresStore.open({ kind: "postgres", url })));
    const changes: number[] = [0, 0];
    const [a, b] = stores.map(
      (s, i) =>
        new Membership(s.members as MemberRepo, log, {
          intervalMs: 50,
          onChange: () => (changes[i] = (changes[i] ?? 0) + 1),
        }),
    ) as [Membership, Membership];
    // Before either has heard from the store, each owns everything.
    expect(uids.every((u) => a.owns(u) && b.owns(u))).to.equal(true);
    const stopA = new AbortController();
    const stopB = new AbortController();
    const running = [a.run(stopA.signal), b.run(stopB.signal)];
    await waitFor("one owner per Job", () =>
      uids.every((u) => a.owns(u) !== b.owns(u)) ? true : undefined,
    );
    const mine = uids.filter((u) => a.owns(u)).length;
    expect(mine).to.be.within(100, 200);
    stopA.abort();
    await running[0];
    await waitFor("b to own every Job", () => (uids.every((u) => b.owns(u)) ? true : undefined), {
      timeoutMs: 2000,
      intervalMs: 20,
    });
    stopB.abort();
    await running[1];
    expect(changes[1]).to.be.greaterThanOrEqual(2);
  });
});
