// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The field (as `a.b[0].c`) of the first string in `value`, key or value, that holds a lone
 * UTF-16 surrogate; undefined when there is none. JSON can spell one (`"\ud800"`) but UTF-8 cannot
 * carry it: protobuf and SQLite would store U+FFFD instead, so such a request is refused.
 */
export function loneSurrogateField(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? path || "(body)" : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const field = childPath(path, key, Array.isArray(value));
    if (LONE_SURROGATE.test(key)) return field;
    const found = loneSurrogateField(item, field);
    if (found !== undefined) return found;
  }
  return undefined;
}

// "a.b" and "c" → "a.b.c"; an array's item: "a.b[0]".
function childPath(path: string, key: string, inArray: boolean): string {
  if (inArray) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
