import type { RequestHandler } from "express";
import { readBody } from "../common/readBody.js";
import { Problem } from "./problem.js";

/**
 * Reads every request's body as JSON into `req.body` (undefined when there is none), whatever
 * its Content-Type: curl users forget the header, and the body must be JSON anyway. Limits,
 * encodings and charsets are common/readBody's, so the gateway and the sidecar refuse alike.
 */
export function jsonBody(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, maxBytes).then((text) => {
      if (text.trim() === "") {
        req.body = undefined;
        next();
        return;
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        next(new Problem(400, "Bad Request", `the request body is not valid JSON: ${reason}`));
        return;
      }
      next();
    }, next);
  };
}
