import type { PageBounds } from "../watchers/takePage.js";

/** Items in a page when the request asks for none, and at most. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Encoded bytes of a page's items at most. grpc-js clients refuse a message over 4 MiB unless
 * told otherwise (the gateway's 429 "Received message larger than max"); one item (a webhook
 * with a 1 MiB request body) always fits, and the rest of the answer has room.
 */
export const PAGE_BYTES = 3 * 1024 * 1024;

// A repeated message field costs, beyond the item, a tag byte and a length of up to 5 bytes.
const FIELD_OVERHEAD = 6;

/** The bounds of a page of protobuf messages: page_size (0: the maximum) and PAGE_BYTES. */
export function pageBounds<T>(pageSize: number, encodedSize: (item: T) => number): PageBounds<T> {
  return {
    limit: pageSize === 0 ? MAX_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE),
    maxSize: PAGE_BYTES,
    sizeOf: (item) => encodedSize(item) + FIELD_OVERHEAD,
  };
}
