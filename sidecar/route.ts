import type { IncomingMessage, ServerResponse } from "node:http";

/** Answers one request; throws a ProblemError (or an ApiError) to answer with an error. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  /** Path parameters, percent-decoded. */
  params?: Record<string, string>,
) => Promise<void>;

/** The largest request body the sidecar reads; its requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
