import { PostgresStore } from "./postgres/PostgresStore.js";
import { SqliteStore } from "./sqlite/SqliteStore.js";
import type { Store } from "./Store.js";
import type { StoreSpec } from "./storeSpec.js";

/** Opens (and migrates) the store --store names. */
export async function openStore(spec: StoreSpec): Promise<Store> {
  return spec.kind === "postgres" ? PostgresStore.open(spec) : SqliteStore.open(spec);
}
