import { expect } from "chai";
import pg from "pg";
import { changes, delivery, notify } from "../../../test/support/storeContract.js";
import { freshDatabase } from "../../../test/support/storeFixture.js";
import { testStoreEngines } from "../../../test/support/storeEngines.js";
import { at, counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import type { Busy } from "../DeliveryRepo.js";
import type { Store } from "../Store.js";
import { UnknownWebhookError } from "../WatcherRepo.js";
import { PostgresStore } from "./PostgresStore.js";

const NOW = at(5000);

function busy(claimUntil: Date): Busy {
  return { ids: new Set(), perDestination: new Map(), destinationCap: 100, claimUntil };
}

/** Runs `fn` `times` times at once, alternating between the two replicas. */
function race<T>(
  stores: Store[],
  times: number,
  fn: (s: Store, i: number) => Promise<T>,
): Promise<T[]> {
  return Promise.all(
    Array.from({ length: times }, (_, i) => fn(stores[i % stores.length] as Store, i)),
  );
}

// Two stores on one database: two replicas, each with its own pool.
describe("PostgresStore shared by two replicas @postgres", function () {
  let a: Store;
  let b: Store;
  let ids: () => string;
  let url: string;

  before(function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
  });

  beforeEach(async () => {
    url = await freshDatabase("replicas");
    [a, b] = await Promise.all([
      PostgresStore.open({ kind: "postgres", url, poolSize: 10 }),
      PostgresStore.open({ kind: "postgres", url, poolSize: 10 }),
    ]);
    await a.webhooks.insert(webhook("hook"));
    ids = counter("w");
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  // `count` watchers, each PROCESSING and owing one delivery to its own destination.
  async function owe(count: number): Promise<string[]> {
    const owed: string[] = [];
    for (let i = 0; i < count; i++) {
      const { watcher } = await a.watchers.create(inserted(spec(), ids, { jobUid: `uid-${i}` }));
      const d = { ...delivery(`msg_${i}`, watcher.triggers[0]?.id ?? "", watcher.id) };
      d.destination = `http://127.0.0.1:${9000 + (i % 5)}`;
      d.url = `${d.destination}/hook`;
      expect(await a.watchers.apply(changes({ changes: [notify(watcher.id, [d])] }))).to.equal(
        true,
      );
      owed.push(d.id);
    }
    return owed;
  }

  it("never hands one delivery to both, and hands it out again once its claim ran out", async () => {
    const owed = await owe(40);
    const claimUntil = at(65_000);
    const handed = (await race([a, b], 8, (s) => s.deliveries.due(NOW, 10, busy(claimUntil))))
      .flat()
      .map((d) => d.id);
    expect(new Set(handed).size).to.equal(handed.length);
    expect([...handed].sort()).to.deep.equal([...owed].sort());
    // All claimed: nothing more now, due again when the claims run out.
    expect(await b.deliveries.due(NOW, 100, busy(claimUntil))).to.deep.equal([]);
    expect(await b.deliveries.nextDue(busy(claimUntil))).to.deep.equal(claimUntil);
    const again = await b.deliveries.due(claimUntil, 100, busy(at(125_000)));
    expect(again).to.have.length(40);
  });

  it("hands out the next due deliveries while another replica is claiming the oldest", async () => {
    const owed = await owe(20);
    // A third replica in the middle of its claim: the 10 oldest rows are locked, not yet claimed.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("BEGIN");
      const { rows } = await other.query<{ id: string }>(
        "SELECT id FROM deliveries ORDER BY next_attempt_at, id LIMIT 10 FOR UPDATE",
      );
      const locked = new Set(rows.map((r) => r.id));
      const handed = (await b.deliveries.due(NOW, 10, busy(at(65_000)))).map((d) => d.id);
      expect(handed.filter((id) => locked.has(id))).to.deep.equal([]);
      expect([...handed].sort()).to.deep.equal(owed.filter((id) => !locked.has(id)).sort());
    } finally {
      await other.query("ROLLBACK");
      await other.end();
    }
  });

  it("applies one of 20 identical decisions made at once", async () => {
    const { watcher } = await a.watchers.create(inserted(spec(), ids, { jobUid: "uid-1" }));
    const d = delivery("msg_1", watcher.triggers[0]?.id ?? "", watcher.id);
    const applied = await race([a, b], 20, (s) =>
      s.watchers.apply(changes({ changes: [notify(watcher.id, [d])] })),
    );
    expect(applied.filter(Boolean)).to.have.length(1);
    expect(await b.deliveries.count()).to.equal(1);
  });

  it("creates one watcher for one idempotency key sent to both at once", async () => {
    const results = await race([a, b], 10, (s) =>
      s.watchers.create(inserted(spec(), ids, { idempotencyKey: "k", requestHash: "h" })),
    );
    expect(results.filter((r) => r.created)).to.have.length(1);
    expect(new Set(results.map((r) => r.watcher.id)).size).to.equal(1);
    expect(await b.watchers.list({}, 100)).to.have.length(1);
  });

  it("spawns one child of a CronJob watcher for a Job both saw start", async () => {
    const parent = (
      await a.watchers.create(inserted(spec({ jobName: "", cronJobName: "nightly" }), ids))
    ).watcher;
    const applied = await race([a, b], 10, (s) => {
      const child = inserted(spec({ jobName: "nightly-1" }), ids, { jobUid: "uid-1" });
      child.watcher.parentId = parent.id;
      return s.watchers.apply(changes({ spawn: [child] }));
    });
    expect(applied.filter(Boolean)).to.have.length(1);
    expect(await b.watchers.children(parent.id)).to.have.length(1);
  });

  it("lets a webhook's delete and a create naming it serialize: never an open watcher naming a deleted webhook", async () => {
    for (let round = 0; round < 10; round++) {
      const hookId = `race-${round}`;
      await a.webhooks.insert(webhook(hookId));
      const [deletion, created] = await Promise.all([
        b.webhooks.delete(hookId, NOW),
        a.watchers
          .create(inserted(spec({ triggers: [{ webhookId: hookId, timeoutSeconds: 0 }] }), ids))
          .then(
            () => "created",
            (err: unknown) => (err instanceof UnknownWebhookError ? "refused" : String(err)),
          ),
      ]);
      expect(`${deletion.kind}/${created}`).to.be.oneOf(["deleted/refused", "in-use/created"]);
    }
  });
});
