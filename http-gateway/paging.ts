import type { Request, Response } from "express";
import { MAX_LIMIT } from "./openapiLists.js";

/** Where a list goes on: the next page's continue token (see openapiLists.ts). */
export const CONTINUE_HEADER = "continue-token";

/** An answer without `limit` follows the controlplane's pages up to here, then ends early. */
export const FULL_LIST = { items: 10_000, pages: 20 } as const;

export interface PageQuery {
  limit?: number;
  continue?: string;
}

export interface ListedPage<T> {
  items: T[];
  nextPageToken: string;
}

/** A list as the route asks for it. */
export interface ListRequest<T> {
  query: PageQuery;
  /** One page from the controlplane. */
  fetchPage(pageSize: number, pageToken: string): Promise<ListedPage<T>>;
  toJson(item: T): unknown;
}

/**
 * Answers a GET of a list: with `limit`, one page; without, the pages in turn up to FULL_LIST.
 * The body is a JSON array either way; while more follow, Continue-Token and Link say how.
 */
export async function sendList<T>(
  req: Request,
  res: Response,
  list: ListRequest<T>,
): Promise<void> {
  const q = list.query;
  const items: T[] = [];
  let token = q.continue ?? "";
  let pages = 0;
  do {
    const page = await list.fetchPage(q.limit ?? MAX_LIMIT, token);
    items.push(...page.items);
    token = page.nextPageToken;
    pages++;
  } while (
    q.limit === undefined &&
    token !== "" &&
    items.length < FULL_LIST.items &&
    pages < FULL_LIST.pages
  );
  if (token !== "") {
    res.set(CONTINUE_HEADER, token).set("link", `<${nextPageUrl(req, token)}>; rel="next"`);
    if (q.limit === undefined) {
      res.set("x-truncated", `true; more than ${items.length} match, follow the Link header`);
    }
  }
  res.json(items.map((item) => list.toJson(item)));
}

// The same query with continue set, as a reference of a query alone (RFC 3986 5.2.2): it keeps
// the request's path, so it holds behind a proxy that adds a prefix.
function nextPageUrl(req: Request, token: string): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) if (typeof v === "string") query.set(k, v);
  query.set("continue", token);
  return `?${query.toString()}`;
}
