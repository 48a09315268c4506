/**
 * Between a ts-proto string enum's values (WATCHER_STATUS_PENDING) and its keys (PENDING), which
 * are the names the domain and the REST API use.
 */
export interface EnumCodec<V extends string> {
  /** The key of a value; UNSPECIFIED and unknown values give undefined. */
  name(value: V): string | undefined;
  /** The value of a key; an unknown key gives undefined. */
  value(name: string): V | undefined;
}

export function enumCodec<V extends string>(e: Record<string, V>): EnumCodec<V> {
  const ignored = new Set(["UNSPECIFIED", "UNRECOGNIZED"]);
  const byName = new Map(Object.entries(e).filter(([k]) => !ignored.has(k)));
  const byValue = new Map([...byName].map(([k, v]) => [v, k]));
  return { name: (value) => byValue.get(value), value: (name) => byName.get(name) };
}
