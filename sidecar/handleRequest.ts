import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../common/logger.js";
import { Problem } from "../http-gateway/problem.js";
import { sendProblem } from "./respond.js";
import type { Route } from "./route.js";
import { sidecarProblem } from "./sidecarProblem.js";

function requestUrl(req: IncomingMessage): URL {
  // The path is all that matters; the base only makes a path parseable.
  if (!URL.canParse(req.url ?? "", "http://sidecar")) {
    throw new Problem(400, "Bad Request", "the request target is not a valid path");
  }
  return new URL(req.url ?? "", "http://sidecar");
}

function route(routes: ReadonlyMap<string, Route>, req: IncomingMessage, url: URL): Route {
  const found = routes.get(url.pathname);
  const method = req.method ?? "";
  if (!found) throw new Problem(404, "Not Found", `no route ${method} ${url.pathname}`);
  if (!found.methods.includes(method)) {
    const allow = found.methods.join(", ");
    throw new Problem(405, "Method Not Allowed", `${method} is not allowed here; use ${allow}`, {
      headers: { allow },
    });
  }
  return found;
}

/**
 * Routes each request to its handler; whatever fails is answered as problem+json, a
 * controlplane failure naming the controlplane's address.
 */
export function handleRequest(
  routes: ReadonlyMap<string, Route>,
  controlplane: string,
  log: Logger,
): RequestListener {
  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    const problem = sidecarProblem(err, controlplane);
    if (!problem || res.headersSent) {
      log.error({ err, method: req.method, path: req.url }, "unexpected error in the sidecar");
      if (!res.headersSent) {
        sendProblem(res, new Problem(500, "Internal Server Error", "see the sidecar's log"));
      }
      return;
    }
    if (problem.status >= 500) {
      log.warn(
        { status: problem.status, path: req.url, detail: problem.message },
        "request failed",
      );
    }
    sendProblem(res, problem);
  };
  return (req, res) => {
    Promise.resolve()
      .then(() => {
        const url = requestUrl(req);
        return route(routes, req, url).handle(req, res, url);
      })
      .catch((err: unknown) => fail(req, res, err));
  };
}
