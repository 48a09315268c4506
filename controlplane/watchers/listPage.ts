import { cursorOf, type Cursor } from "../store/keyset.js";
import { decodePageToken, encodePageToken, type ListKind } from "./pageTokens.js";
import { takePage, type PageBounds } from "./takePage.js";

export interface Page<T> {
  items: T[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/**
 * One page of a list in (created_at, id) order: from the place `pageToken` names (the start when
 * empty), as many items as `bounds` allow, and the token of the next page when more remain.
 * `filter` is what the list was asked for; a token is good only for the same filter. `read`
 * answers up to `limit` items after a cursor.
 */
export async function listPage<T extends { createdAt: Date; id: string }>(
  kind: ListKind,
  read: (after: Cursor | undefined, limit: number) => Promise<T[]>,
  request: { bounds: PageBounds<T>; pageToken: string; filter?: unknown },
): Promise<Page<T>> {
  const filter = request.filter ?? null;
  const after =
    request.pageToken === "" ? undefined : decodePageToken(kind, request.pageToken, filter);
  // One more than a page holds, to know whether more remain.
  const page = takePage(await read(after, request.bounds.limit + 1), request.bounds);
  const last = page.items.at(-1);
  return {
    items: page.items,
    nextPageToken: page.more && last ? encodePageToken(kind, cursorOf(last), filter) : "",
  };
}
