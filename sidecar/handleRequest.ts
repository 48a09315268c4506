import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../common/logger.js";
import { badRequest, problem } from "../rest/Problem.js";
import { sendProblem } from "../rest/respond.js";
import { Router, type RouteTable } from "../rest/Router.js";
import type { RouteHandler } from "./route.js";
import { sidecarProblem } from "./sidecarProblem.js";

function requestUrl(req: IncomingMessage): URL {
  // The path is all that matters; the base only makes a path parseable.
  if (!URL.canParse(req.url ?? "", "http://sidecar")) {
    throw badRequest("the request target is not a valid path");
  }
  return new URL(req.url ?? "", "http://sidecar");
}

/**
 * Routes each request to its handler (paths matched exactly, as sent); whatever fails is
 * answered as problem+json, a controlplane failure naming the controlplane's address.
 */
export function handleRequest(
  routes: RouteTable<RouteHandler>,
  controlplane: string,
  log: Logger,
): RequestListener {
  const router = new Router(routes, { loose: false });
  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    const found = sidecarProblem(err, controlplane);
    if (!found || res.headersSent) {
      log.error({ err, method: req.method, path: req.url }, "unexpected error in the sidecar");
      if (!res.headersSent) {
        sendProblem(res, problem(500, "Internal Server Error", "see the sidecar's log"));
      }
      return;
    }
    if (found.status >= 500) {
      log.warn({ status: found.status, path: req.url, detail: found.detail }, "request failed");
    }
    sendProblem(res, found);
  };
  return (req, res) => {
    Promise.resolve()
      .then(() => {
        const url = requestUrl(req);
        const found = router.find(req.method ?? "", url.pathname);
        return found.handler(req, res, url, found.params);
      })
      .catch((err: unknown) => {
        fail(req, res, err);
      });
  };
}
