import express, { type ErrorRequestHandler, type Express } from "express";
import type { ControlplaneClients } from "../client/connect.js";
import { HttpError } from "../common/HttpError.js";
import type { Logger } from "../common/logger.js";
import { problemOf } from "./grpcErrors.js";
import { jsonBody } from "./jsonBody.js";
import { openApiDocument } from "./openapi.js";
import { Problem } from "./problem.js";
import { apiRoutes } from "./routes.js";

export const MAX_BODY_BYTES = 1024 * 1024;

// Each path's methods, for 405's Allow: those the document names, so the two cannot differ.
const ROUTE_METHODS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(openApiDocument.paths).map(([path, operations]) => [
      path.replace(/\{(\w+)\}/g, ":$1"),
      Object.keys(operations)
        .map((m) => m.toUpperCase())
        .sort()
        .join(", "),
    ]),
  ),
  "/openapi.json": "GET",
};

/** The REST API as an Express app: translation only, no state of its own. */
export function createGatewayApp(cp: ControlplaneClients, log: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(jsonBody(MAX_BODY_BYTES));
  app.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(apiRoutes(cp));
  for (const [path, allow] of Object.entries(ROUTE_METHODS)) {
    app.all(path, (req, _res, next) => {
      next(
        new Problem(405, "Method Not Allowed", `${req.method} is not allowed here; use ${allow}`, {
          headers: { allow },
        }),
      );
    });
  }
  app.use((req, _res, next) => {
    next(new Problem(404, "Not Found", `no route ${req.method} ${req.path}`));
  });
  app.use(errorHandler(log));
  return app;
}

function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const problem = asProblem(err);
    if (problem) {
      if (problem.status >= 500)
        log.warn(
          { status: problem.status, path: req.path, detail: problem.message },
          "request failed",
        );
      problem.send(res);
      return;
    }
    log.error({ err, method: req.method, path: req.path }, "unexpected error in the gateway");
    new Problem(500, "Internal Server Error", "unexpected error; see the gateway's log").send(res);
  };
}

function asProblem(err: unknown): Problem | undefined {
  if (err instanceof HttpError) return Problem.of(err);
  // Express's router decodes each path parameter and throws this for a malformed %XX escape.
  if (err instanceof URIError) {
    return new Problem(
      400,
      "Bad Request",
      `the request path is not valid: ${err.message}; each %XX escape must spell UTF-8`,
    );
  }
  return problemOf(err);
}
