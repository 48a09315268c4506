// The paging of lists in the OpenAPI document (openapi.ts), as the Kubernetes API pages: `limit`
// and `continue` in the query; the body stays a JSON array (k8s-job-webhooks' wire format), so
// the continue token travels in response headers.

import { LIMITS } from "../../contract/limits.js";

export const MAX_LIMIT = LIMITS.pageSize;

/** Query parameters of every list. */
export const pageParameters = [
  {
    name: "limit",
    in: "query",
    required: false,
    description: `Answer one page of at most this many items. A page is also cut short to stay under about 3 MiB, so it may hold fewer while more follow: go on while the answer has a Continue-Token header. Without limit the answer is the whole list (up to 10,000 items or 20 pages; beyond that it ends early with Continue-Token, as a page does).`,
    schema: { type: "integer", minimum: 1, maximum: MAX_LIMIT },
  },
  {
    name: "continue",
    in: "query",
    required: false,
    description:
      "The Continue-Token of the page before, opaque; good only with the same filters. A token this server did not issue for this list is 400.",
    schema: { type: "string", minLength: 1, maxLength: LIMITS.pageTokenLength },
  },
] as const;

/** Headers of a list's answer when more items follow; absent on the last page. */
export const pageHeaders = {
  "Continue-Token": {
    description: "The continue parameter of the next page.",
    schema: { type: "string" },
  },
  Link: {
    description:
      'RFC 8288: `<URL of the next page>; rel="next"`, the same query with continue set.',
    schema: { type: "string" },
  },
  "X-Truncated": {
    description: "Only without limit, when the whole list was longer than one answer holds.",
    schema: { type: "string" },
  },
} as const;
