import type { ServerResponse } from "node:http";
import type { Page, PageRequest } from "../contract/model.js";
import { MAX_LIMIT } from "./openapi/lists.js";
import { sendJson } from "./respond.js";

/** Where a list goes on: the next page's continue token (see openapi/lists.ts). */
export const CONTINUE_HEADER = "continue-token";

/** An answer without `limit` follows the controlplane's pages up to here, then ends early. */
export const FULL_LIST = { items: 10_000, pages: 20 } as const;

export interface PageQuery {
  limit?: number;
  continue?: string;
}

/** A list as the route asks for it. */
export interface ListRequest<T> {
  query: PageQuery;
  /** The request's query as sent: the Link header repeats it. */
  sentQuery: Record<string, unknown>;
  /** One page from the controlplane. */
  fetchPage(page: PageRequest): Promise<Page<T>>;
  toJson(item: T): unknown;
}

/**
 * Answers a GET of a list: with `limit`, one page; without, the pages in turn up to FULL_LIST.
 * The body is a JSON array either way; while more follow, Continue-Token and Link say how.
 */
export async function sendList<T>(res: ServerResponse, list: ListRequest<T>): Promise<void> {
  const q = list.query;
  const items: T[] = [];
  let token = q.continue ?? "";
  let pages = 0;
  do {
    const page = await list.fetchPage({ pageSize: q.limit ?? MAX_LIMIT, pageToken: token });
    items.push(...page.items);
    token = page.nextPageToken;
    pages++;
  } while (
    q.limit === undefined &&
    token !== "" &&
    items.length < FULL_LIST.items &&
    pages < FULL_LIST.pages
  );
  const headers: Record<string, string> = {};
  if (token !== "") {
    headers[CONTINUE_HEADER] = token;
    headers.link = `<${nextPageUrl(list.sentQuery, token)}>; rel="next"`;
    if (q.limit === undefined) {
      headers["x-truncated"] = `true; more than ${items.length} match, follow the Link header`;
    }
  }
  sendJson(
    res,
    200,
    items.map((item) => list.toJson(item)),
    headers,
  );
}

// The same query with continue set, as a reference of a query alone (RFC 3986 5.2.2): it keeps
// the request's path, so it holds behind a proxy that adds a prefix.
function nextPageUrl(query: Record<string, unknown>, token: string): string {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (typeof v === "string") next.set(k, v);
  }
  next.set("continue", token);
  return `?${next.toString()}`;
}
