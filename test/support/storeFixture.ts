import { PostgresStore } from "../../controlplane/store/postgres/PostgresStore.js";
import { SqliteStore } from "../../controlplane/store/sqlite/SqliteStore.js";
import type { Store } from "../../controlplane/store/Store.js";
import { sharedPostgres } from "./postgres.js";
import { testStoreEngines, type StoreEngine } from "./storeEngines.js";

/** Opens a fresh, empty store: a new one on each call, closed after the test that opened it. */
export type OpenStore = () => Promise<Store>;

/**
 * Runs `suite` once per store engine under test (testStoreEngines), the PostgreSQL run titled
 * `<title> @postgres`. Its `open` gives SQLite :memory:, or a database of its own on the shared
 * test PostgreSQL, so each test sees only its own rows.
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
      suite(async () => {
        const store = await openFresh(engine, title);
        opened.push(store);
        return store;
      }, engine);
    });
  }
}

/** A fresh store on `engine`; the caller closes it. */
export async function openFresh(engine: StoreEngine, name: string): Promise<Store> {
  if (engine === "sqlite") return SqliteStore.open({ kind: "sqlite", path: ":memory:" });
  return PostgresStore.open({ kind: "postgres", url: await freshDatabase(name), poolSize: 4 });
}

/** The URL of a new, empty database on the shared test PostgreSQL. */
export async function freshDatabase(name: string): Promise<string> {
  const server = await sharedPostgres();
  return server.url(await server.createDatabase(name));
}
