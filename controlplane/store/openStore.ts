import { SqliteStore } from "./sqlite/SqliteStore.js";
import type { Store } from "./Store.js";
import type { StoreSpec } from "./storeSpec.js";

/** Opens the store --store names. */
export function openStore(spec: StoreSpec): Store {
  return SqliteStore.open(spec);
}
