import { problem, ProblemError } from "./Problem.js";

/** A path template ("/webhooks/{id}") and its handlers by method. */
export type RouteTable<H> = Record<string, Partial<Record<string, H>>>;

export interface RouterOptions {
  /**
   * As the gateway has always matched (Express's defaults): letters in any case, and a trailing
   * slash allowed. Otherwise a path is matched exactly, as sent.
   */
  loose: boolean;
}

interface Route<H> {
  pattern: RegExp;
  params: string[];
  handlers: Partial<Record<string, H>>;
  allow: string;
}

export interface Found<H> {
  handler: H;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
}

function compile<H>(
  template: string,
  handlers: Partial<Record<string, H>>,
  o: RouterOptions,
): Route<H> {
  const params: string[] = [];
  const source = template
    .split(/\{(\w+)\}/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      params.push(part);
      return "([^/]+)";
    })
    .join("");
  const pattern = new RegExp(`^${source}${o.loose ? "/?" : ""}$`, o.loose ? "i" : "");
  const allow = Object.keys(handlers).sort().join(", ");
  return { pattern, params, handlers, allow };
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ProblemError(
      problem(
        400,
        "Bad Request",
        `the request path is not valid: Failed to decode param '${raw}'; each %XX escape must spell UTF-8`,
      ),
    );
  }
}

/**
 * Finds a request's handler by path and method: 404 for a path it does not know, 405 with Allow
 * for a method the path does not take (HEAD is GET's, as HTTP has it), 400 for a path parameter
 * that is not valid percent-encoded UTF-8. The gateway and the sidecar route alike.
 */
export class Router<H> {
  private readonly routes: Route<H>[];

  constructor(table: RouteTable<H>, o: RouterOptions) {
    this.routes = Object.entries(table).map(([template, handlers]) =>
      compile(template, handlers, o),
    );
  }

  find(method: string, path: string): Found<H> {
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(
        route.params.map((name, i) => [name, decode(match[i + 1] ?? "")]),
      );
      const handler =
        route.handlers[method] ?? (method === "HEAD" ? route.handlers.GET : undefined);
      if (handler === undefined) {
        throw new ProblemError(
          problem(405, "Method Not Allowed", `${method} is not allowed here; use ${route.allow}`, {
            headers: { allow: route.allow },
          }),
        );
      }
      return { handler, params };
    }
    throw new ProblemError(problem(404, "Not Found", `no route ${method} ${path}`));
  }
}
