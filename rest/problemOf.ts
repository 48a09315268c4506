import { HttpError } from "../common/HttpError.js";
import { ApiError } from "../contract/errors.js";
import { apiErrorProblem } from "./apiErrorProblem.js";
import { problem, ProblemError, type Problem } from "./Problem.js";

/** The problem to answer for `err`, or undefined when it is unexpected (a bug: 500). */
export function problemOf(err: unknown): Problem | undefined {
  if (err instanceof ProblemError) return err.problem;
  // common/readBody's refusals: 400, 413, 415.
  if (err instanceof HttpError) {
    return problem(err.status, err.title, err.message, { headers: err.headers });
  }
  if (err instanceof ApiError) return apiErrorProblem(err);
  return undefined;
}
