/** Where the store lives, from --store: `sqlite:PATH` or `sqlite::memory:`. */
export interface StoreSpec {
  kind: "sqlite";
  /** A file path, or ":memory:". */
  path: string;
}

export class StoreSpecError extends Error {}

export function parseStoreSpec(value: string): StoreSpec {
  const match = /^sqlite:(.+)$/.exec(value.trim());
  if (!match?.[1]) {
    throw new StoreSpecError(
      `invalid store "${value}": expected sqlite:PATH (e.g. sqlite:/var/lib/jobhooks/jobhooks.db) or sqlite::memory:`,
    );
  }
  return { kind: "sqlite", path: match[1] };
}
