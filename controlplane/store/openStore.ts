import type { Store } from "./Store.js";
import type { StoreSpec } from "./storeSpec.js";

/**
 * Opens (and migrates) the store --store names. Only the engine asked for is loaded: pg costs
 * about 14 MiB of RSS that a SQLite controlplane never uses, better-sqlite3 about 5 MiB.
 */
export async function openStore(spec: StoreSpec): Promise<Store> {
  if (spec.kind === "postgres") {
    const { PostgresStore } = await import("./postgres/PostgresStore.js");
    return PostgresStore.open(spec);
  }
  const { SqliteStore } = await import("./sqlite/SqliteStore.js");
  return SqliteStore.open(spec);
}
