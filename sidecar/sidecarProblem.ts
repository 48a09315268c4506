import { ApiError } from "../contract/errors.js";
import { problem, type Problem } from "../rest/Problem.js";
import { problemOf } from "../rest/problemOf.js";
import { TokenFileError } from "./TokenFile.js";

const retryAfter = { "retry-after": "1" };

/**
 * The problem+json answer for an error of a sidecar request, or undefined when it is unexpected
 * (a bug: 500). The workload sees which side failed: the controlplane named by its address, or
 * the token file by its path.
 */
export function sidecarProblem(err: unknown, controlplane: string): Problem | undefined {
  if (err instanceof TokenFileError) {
    return problem(503, "Service Unavailable", err.message, { headers: retryAfter });
  }
  const found = problemOf(err);
  if (!found || !(err instanceof ApiError)) return found;
  const at = `the controlplane at ${controlplane}`;
  switch (err.code) {
    case "unavailable":
      return { ...found, detail: `${at} is unavailable: ${err.message}`, errors: [] };
    // The workload sent no token: the pod's own was refused. Not its fault, and a token the
    // kubelet rotates, or a controlplane that comes to know the pod, may be accepted soon.
    case "unauthenticated":
      return problem(
        503,
        "Service Unavailable",
        `${at} did not accept this pod's token: ${err.message}`,
        { headers: retryAfter },
      );
    case "deadline-exceeded":
      return { ...found, detail: `${at} did not answer in time: ${err.message}`, errors: [] };
    default:
      return found;
  }
}
