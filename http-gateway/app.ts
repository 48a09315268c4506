import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import type { JobhooksApi } from "../contract/JobhooksApi.js";
import type { Logger } from "../common/logger.js";
import { openApiDocument } from "../rest/openapi/document.js";
import { problem } from "../rest/Problem.js";
import { problemOf } from "../rest/problemOf.js";
import { readJson } from "../rest/readJson.js";
import { sendJson, sendProblem } from "../rest/respond.js";
import { Router, type RouteTable } from "../rest/Router.js";
import { apiRoutes, type GatewayHandler } from "./routes.js";

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The routes: the document's paths and methods, each to the handler named by its operationId,
 * so the routes, the 405 table and the document cannot differ; and the document itself.
 */
function routeTable(handlers: Record<string, GatewayHandler>): RouteTable<GatewayHandler> {
  const table: RouteTable<GatewayHandler> = {};
  const unused = new Set(Object.keys(handlers));
  for (const [path, operations] of Object.entries(openApiDocument.paths)) {
    const byMethod: Record<string, GatewayHandler> = {};
    const byOperation = operations as Record<string, { operationId: string }>;
    for (const [method, { operationId }] of Object.entries(byOperation)) {
      const handler = handlers[operationId];
      if (!handler) throw new Error(`no handler for the document's ${operationId}`);
      unused.delete(operationId);
      byMethod[method.toUpperCase()] = handler;
    }
    table[path] = byMethod;
  }
  if (unused.size > 0) throw new Error(`handlers not in the document: ${[...unused].join(", ")}`);
  table["/openapi.json"] = {
    GET: (r) => {
      sendJson(r.res, 200, openApiDocument);
      return Promise.resolve();
    },
  };
  return table;
}

/** The REST API over node:http: translation only, no state of its own. */
export function createGatewayHandler(api: JobhooksApi, log: Logger): RequestListener {
  // Express's matching, as the gateway has always had: any case, a trailing slash allowed.
  const router = new Router(routeTable(apiRoutes(api)), { loose: true });
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    // Every request's body is read first, as it always was: 413 and 415 come before 404.
    const body = await readJson(req, MAX_BODY_BYTES);
    const { handler, params } = router.find(req.method ?? "", path);
    // "simple" parsing: a repeated parameter becomes an array, which the routes refuse.
    const query = q < 0 ? {} : { ...parseQuery(url.slice(q + 1)) };
    await handler({ req, res, body, query, params });
  };
  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      fail(log, req, res, err);
    });
  };
}

function fail(log: Logger, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const found = problemOf(err);
  if (found && !res.headersSent) {
    if (found.status >= 500) {
      log.warn({ status: found.status, path: req.url, detail: found.detail }, "request failed");
    }
    sendProblem(res, found);
    return;
  }
  log.error({ err, method: req.method, path: req.url }, "unexpected error in the gateway");
  if (res.headersSent) res.destroy();
  else
    sendProblem(
      res,
      problem(500, "Internal Server Error", "unexpected error; see the gateway's log"),
    );
}
