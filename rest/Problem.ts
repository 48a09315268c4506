import { HttpError } from "../common/HttpError.js";

/** One offending field, named as in the JSON (or header, or query) the client sent. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem as a plain value: every error the gateway and the sidecar answer is one.
 * Whichever HTTP stack serves it writes it (respond.ts).
 */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors: FieldError[];
  headers: Record<string, string>;
}

export function problem(
  status: number,
  title: string,
  detail: string,
  extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
): Problem {
  return { status, title, detail, errors: extra.errors ?? [], headers: extra.headers ?? {} };
}

/** The JSON body of a problem. */
export function problemJson(p: Problem): Record<string, unknown> {
  return {
    type: `https://jobhooks.dev/problems/${p.title.toLowerCase().replace(/[^a-z]+/g, "-")}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
    ...(p.errors.length > 0 && { errors: p.errors }),
  };
}

/** Thrown while a request is handled, to answer it with `problem`. */
export class ProblemError extends HttpError {
  constructor(readonly problem: Problem) {
    super(problem.status, problem.title, problem.detail, problem.headers);
  }
}

export function badRequest(detail: string, errors: FieldError[] = []): ProblemError {
  return new ProblemError(problem(400, "Bad Request", detail, { errors }));
}
