import type { ApiError, ErrorCode } from "../contract/errors.js";
import { fieldName } from "../contract/fields.js";
import { problem, type Problem } from "./Problem.js";

/** Each error of the API as the REST API answers it. */
const HTTP_OF: Record<ErrorCode, [number, string]> = {
  "invalid-argument": [400, "Bad Request"],
  unauthenticated: [401, "Unauthorized"],
  "permission-denied": [403, "Forbidden"],
  "not-found": [404, "Not Found"],
  "already-exists": [409, "Conflict"],
  "failed-precondition": [409, "Conflict"],
  "resource-exhausted": [429, "Too Many Requests"],
  unavailable: [503, "Service Unavailable"],
  "deadline-exceeded": [504, "Gateway Timeout"],
  // The controlplane failed unexpectedly: the gateway passes on that it could not serve.
  internal: [502, "Bad Gateway"],
};

/** The problem for an error of the API, its fields named as the REST API names them. */
export function apiErrorProblem(err: ApiError): Problem {
  const [status, title] = HTTP_OF[err.code];
  const headers: Record<string, string> = status === 503 ? { "retry-after": "1" } : {};
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="jobhooks"';
  const detail = status === 503 ? `the controlplane is unavailable: ${err.message}` : err.message;
  const errors = err.violations.map((v) => ({
    field: fieldName(v.field, "rest"),
    message: v.description,
  }));
  return problem(status, title, detail, { errors, headers });
}
