import express, { type ErrorRequestHandler, type Express } from "express";
import type { ControlplaneClients } from "../common/controlplaneClient.js";
import type { Logger } from "../common/logger.js";
import { problemOf } from "./grpcErrors.js";
import { openApiDocument } from "./openapi.js";
import { Problem } from "./problem.js";
import { apiRoutes } from "./routes.js";

export const MAX_BODY_BYTES = 1024 * 1024;

const ROUTE_METHODS: Record<string, string> = {
  "/increment": "POST",
  "/decrement": "POST",
  "/webhooks": "GET, POST",
  "/webhooks/:id": "GET, DELETE",
  "/job-done-watchers": "GET, POST",
  "/job-done-watchers/:id": "GET",
  "/job-done-watchers/:id/cancel": "POST",
  "/openapi.json": "GET",
};

/** The REST API as an Express app: translation only, no state of its own. */
export function createGatewayApp(cp: ControlplaneClients, log: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  // Any content type is read as JSON: curl users forget the header, and the body must be JSON.
  app.use(express.json({ limit: MAX_BODY_BYTES, type: () => true }));
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
    const problem = err instanceof Problem ? err : (problemOf(err) ?? bodyProblem(err));
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

// body-parser's errors carry a type and an HTTP status of their own.
const BODY_PROBLEMS: Record<string, (message: string) => Problem> = {
  "entity.parse.failed": (m) =>
    new Problem(400, "Bad Request", `the request body is not valid JSON: ${m}`),
  "entity.too.large": () =>
    new Problem(413, "Content Too Large", `the request body is over ${MAX_BODY_BYTES} bytes`),
  "encoding.unsupported": (m) => new Problem(415, "Unsupported Media Type", m),
  "charset.unsupported": (m) => new Problem(415, "Unsupported Media Type", m),
};

function bodyProblem(err: unknown): Problem | undefined {
  if (typeof err !== "object" || err === null || !("type" in err)) return undefined;
  const e = err as { type: string; status?: number; message?: string };
  const message = e.message ?? "";
  const known = BODY_PROBLEMS[e.type];
  if (known) return known(message);
  return e.status !== undefined && e.status < 500
    ? new Problem(e.status, "Bad Request", message)
    : undefined;
}
