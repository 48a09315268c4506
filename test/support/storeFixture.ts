import pg from "pg";
import { PostgresStore } from "../../controlplane/store/postgres/PostgresStore.js";
import { SqliteStore } from "../../controlplane/store/sqlite/SqliteStore.js";
import type { Store } from "../../controlplane/store/Store.js";
import { sharedPostgres } from "./postgres.js";
import { testStoreEngines, type StoreEngine } from "./storeEngines.js";

/** Opens an empty store for the test that calls it (once per test), closed after it. */
export type OpenStore = () => Promise<Store>;

/**
 * Runs `suite` once per store engine under test (testStoreEngines), the PostgreSQL run titled
 * `<title> @postgres`. Its `open` gives SQLite :memory:, or on the shared test PostgreSQL a
 * database of the suite's own, emptied before each test (faster than a database per test), so
 * each test sees only its own rows.
 */
export function describeStores(
  title: string,
  suite: (open: OpenStore, engine: StoreEngine) => void,
): void {
  for (const engine of testStoreEngines()) {
    describe(engine === "postgres" ? `${title} @postgres` : title, () => {
      const opened: Store[] = [];
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      });
      const openEmpty =
        engine === "sqlite" ? () => openFresh(engine, title) : reusedDatabase(title);
      suite(async () => {
        const store = await openEmpty();
        opened.push(store);
        return store;
      }, engine);
    });
  }
}

/** A fresh store on `engine`; the caller closes it. */
async function openFresh(engine: StoreEngine, name: string): Promise<Store> {
  if (engine === "sqlite") return SqliteStore.open({ kind: "sqlite", path: ":memory:" });
  return PostgresStore.open({ kind: "postgres", url: await freshDatabase(name), poolSize: 4 });
}

/** The URL of a new, empty database on the shared test PostgreSQL. */
export async function freshDatabase(name: string): Promise<string> {
  const server = await sharedPostgres();
  return server.url(await server.createDatabase(name));
}

// One database for a suite: created and migrated on the first call, emptied on the next ones.
function reusedDatabase(name: string): OpenStore {
  let url: string | undefined;
  return async () => {
    if (url === undefined) url = await freshDatabase(name);
    else await emptyDatabase(url);
    return PostgresStore.open({ kind: "postgres", url, poolSize: 4 });
  };
}

/**
 * Removes every row from the database's tables but the schema's version: DELETE, with foreign
 * keys unchecked for this session, takes a few ms on tables this small where TRUNCATE takes 70.
 */
async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client(url);
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ table: string }>(
      `SELECT quote_ident(tablename) AS table FROM pg_tables
       WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
    );
    await client.query(
      `SET session_replication_role = replica; ${rows.map((r) => `DELETE FROM ${r.table};`).join(" ")}`,
    );
  } finally {
    await client.end();
  }
}
