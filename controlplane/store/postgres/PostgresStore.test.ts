import { expect } from "chai";
import pg from "pg";
import { freePort } from "../../../test/cluster/ports.js";
import { rejects } from "../../../test/support/rejects.js";
import { testStoreEngines } from "../../../test/support/storeEngines.js";
import { freshDatabase } from "../../../test/support/storeFixture.js";
import { StoreUnavailableError } from "../StoreHealth.js";
import { StoreSpecError } from "../storeSpec.js";
import { counter, inserted, spec, webhook } from "../../../test/support/watcherFixtures.js";
import { MIGRATIONS } from "./migrations.js";
import { PostgresStore } from "./PostgresStore.js";

async function query<R>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client(url);
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

describe("PostgresStore.open @postgres", () => {
  before(function () {
    if (!testStoreEngines().includes("postgres")) this.skip();
  });

  it("migrates once when several replicas start together", async () => {
    const url = await freshDatabase("migrate");
    const stores = await Promise.all(
      [1, 2, 3].map(() => PostgresStore.open({ kind: "postgres", url, poolSize: 2 })),
    );
    await Promise.all(stores.map((s) => s.close()));
    const versions = await query<{ version: number }>(
      url,
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    expect(versions.map((v) => v.version)).to.deep.equal(MIGRATIONS.map((_, i) => i + 1));
    await (await PostgresStore.open({ kind: "postgres", url })).close();
  });

  it("refuses a schema newer than it knows", async () => {
    const url = await freshDatabase("newer");
    await (await PostgresStore.open({ kind: "postgres", url })).close();
    await query(url, `INSERT INTO schema_migrations VALUES (${MIGRATIONS.length + 1}, 0)`);
    await rejects(
      PostgresStore.open({ kind: "postgres", url }),
      StoreSpecError,
      new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this jobhooks knows`),
    );
  });

  it("calls a server that does not answer an outage, naming it without the password", async () => {
    const url = `postgres://jobhooks:s3cret@127.0.0.1:${await freePort()}/jobhooks`;
    const err = await rejects(PostgresStore.open({ kind: "postgres", url }), StoreUnavailableError);
    expect(err.reason).to.match(
      /^cannot open postgres:\/\/jobhooks:\*\*\*@127\.0\.0\.1:\d+\/jobhooks: ECONNREFUSED/,
    );
    expect(err.message).to.not.include("s3cret");
  });

  it("calls what trying again cannot mend bad input: a database that does not exist", async () => {
    const url = (await freshDatabase("exists")).replace(/exists_\d+$/, "no_such_database");
    await rejects(
      PostgresStore.open({ kind: "postgres", url }),
      StoreSpecError,
      /^cannot open the store postgres:.*\/no_such_database: database "no_such_database" does not exist$/,
    );
  });

  it("reads BIGINT as numbers on its own pool, leaving pg's global parsers alone", async () => {
    const url = await freshDatabase("int8");
    const store = await PostgresStore.open({ kind: "postgres", url });
    try {
      await store.probe(new Date(1_700_000_000_123));
      expect(await store.deliveries.count()).to.equal(0);
      const [row] = await query<{ at: unknown }>(url, "SELECT at FROM store_probe");
      expect(row?.at).to.equal("1700000000123");
    } finally {
      await store.close();
    }
  });

  it("keeps answering when another replica's migration adds a column to tables it reads with *", async () => {
    const url = await freshDatabase("stale");
    const store = await PostgresStore.open({ kind: "postgres", url, poolSize: 3 });
    const ids = counter("w");
    try {
      await store.webhooks.insert(webhook("hook"));
      // Prepared on every connection of the pool: reads at once, and transactions that read.
      const use = async (): Promise<void> => {
        const reads = await Promise.all([1, 2, 3, 4, 5, 6].map(() => store.webhooks.get("hook")));
        expect(reads.map((r) => r?.id)).to.deep.equal(Array(6).fill("hook"));
        const created = await Promise.all(
          [1, 2, 3].map(() => store.watchers.create(inserted(spec(), ids))),
        );
        expect(created.map((c) => c.created)).to.deep.equal([true, true, true]);
      };
      await use();
      await query(url, "ALTER TABLE webhooks ADD COLUMN later TEXT");
      await query(url, "ALTER TABLE watchers ADD COLUMN later TEXT");
      await use();
    } finally {
      await store.close();
    }
  });
});
