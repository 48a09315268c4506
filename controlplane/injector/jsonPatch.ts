/** One RFC 6902 operation; the injector only ever needs these three. */
export type JsonPatchOperation =
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The JSON Patch that turns `before` into `after`, derived by comparing them: objects key by key,
 * arrays by their common head and tail (so an element inserted anywhere is one `add`), anything
 * else replaced whole. `diff(a, b)` applied to `a` gives a value deep-equal to `b`.
 */
export function diff(before: unknown, after: unknown, path = ""): JsonPatchOperation[] {
  const a = before as Json;
  const b = after as Json;
  if (isObject(a) && isObject(b)) return diffObjects(a, b, path);
  if (Array.isArray(a) && Array.isArray(b)) return diffArrays(a, b, path);
  return deepEqual(a, b) ? [] : [{ op: "replace", path, value: b }];
}

function diffObjects(
  a: Record<string, Json>,
  b: Record<string, Json>,
  path: string,
): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) ops.push({ op: "remove", path: `${path}/${escape(key)}` });
  }
  for (const [key, value] of Object.entries(b)) {
    const child = `${path}/${escape(key)}`;
    if (Object.hasOwn(a, key)) ops.push(...diff(a[key], value, child));
    else ops.push({ op: "add", path: child, value });
  }
  return ops;
}

// Elements between the common head and tail: inserted ones are added in place, removed ones
// removed; when both sides changed there, the elements of equal position are compared.
function diffArrays(a: Json[], b: Json[], path: string): JsonPatchOperation[] {
  let head = 0;
  while (head < a.length && head < b.length && deepEqual(a[head], b[head])) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    deepEqual(a[a.length - 1 - tail], b[b.length - 1 - tail])
  ) {
    tail++;
  }
  const aMiddle = a.length - head - tail;
  const bMiddle = b.length - head - tail;
  if (aMiddle === 0) {
    return b
      .slice(head, head + bMiddle)
      .map((value, i) => ({ op: "add", path: `${path}/${head + i}`, value }));
  }
  if (bMiddle === 0) {
    // Removed back to front, so each index still names the element meant.
    return Array.from({ length: aMiddle }, (_, i) => ({
      op: "remove" as const,
      path: `${path}/${head + aMiddle - 1 - i}`,
    }));
  }
  if (aMiddle === bMiddle) {
    return b
      .slice(head, head + bMiddle)
      .flatMap((value, i) => diff(a[head + i], value, `${path}/${head + i}`));
  }
  return [{ op: "replace", path, value: b }];
}

function isObject(v: Json | undefined): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

// RFC 6901: "~" and "/" inside a key.
function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
