import type { IncomingMessage, ServerResponse } from "node:http";

/** Answers one request; throws a Problem (or a controlplane error) to answer with an error. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** The largest request body the sidecar reads; its requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A path of the sidecar and the methods it takes. */
export interface Route {
  methods: readonly string[];
  handle: RouteHandler;
}
