import { ValidationError } from "../../contract/errors.js";
import { LIMITS } from "../../contract/limits.js";
import type { PageRequest } from "../../contract/model.js";
import type { PageBounds } from "../watchers/takePage.js";

// Between items of a list, a transport adds a little: a comma in JSON; a tag byte and a length of
// up to 5 bytes in protobuf.
const ITEM_OVERHEAD = 6;

/**
 * An item's size as JSON, in UTF-8 bytes: never less than its protobuf encoding (every field a
 * message carries is spelt out in JSON with its name, strings quoted, numbers and times in
 * decimal), so a page of at most LIMITS.pageBytes of it fits every transport's message limit.
 */
export function jsonBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item)) + ITEM_OVERHEAD;
}

/**
 * The bounds of a page: the request's pageSize (absent or 0: LIMITS.pageSize, and never more)
 * and LIMITS.pageBytes of the items as `view` shows them to callers, measured by jsonBytes.
 */
export function pageBounds<T>(page: PageRequest, view: (item: T) => unknown): PageBounds<T> {
  const size = page.pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0) {
    throw new ValidationError([
      { field: "pageSize", description: "must be a whole number, 0 or more" },
    ]);
  }
  return {
    limit: size === 0 ? LIMITS.pageSize : Math.min(size, LIMITS.pageSize),
    maxSize: LIMITS.pageBytes,
    sizeOf: (item) => jsonBytes(view(item)),
  };
}
