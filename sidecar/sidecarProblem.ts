import { Status } from "nice-grpc-common";
import { problemOf } from "../http-gateway/grpcErrors.js";
import { HttpError } from "../common/HttpError.js";
import { Problem } from "../http-gateway/problem.js";
import { TokenFileError } from "./TokenFile.js";

/**
 * The problem+json answer for an error of a sidecar request, or undefined when it is unexpected
 * (a bug: 500). The workload sees which side failed: the controlplane named by its address, or
 * the token file by its path.
 */
export function sidecarProblem(err: unknown, controlplane: string): Problem | undefined {
  if (err instanceof HttpError) return Problem.of(err);
  if (err instanceof TokenFileError) {
    return new Problem(503, "Service Unavailable", err.message, {
      headers: { "retry-after": "1" },
    });
  }
  const problem = problemOf(err);
  if (!problem) return undefined;
  const { code, details } = err as { code: Status; details: string };
  if (code === Status.UNAVAILABLE) {
    return new Problem(
      problem.status,
      problem.title,
      `the controlplane at ${controlplane} is unavailable: ${details}`,
      { headers: problem.headers },
    );
  }
  // The workload sent no token: the pod's own was refused. Not its fault, and a token the
  // kubelet rotates, or a controlplane that comes to know the pod, may be accepted soon.
  if (code === Status.UNAUTHENTICATED) {
    return new Problem(
      503,
      "Service Unavailable",
      `the controlplane at ${controlplane} did not accept this pod's token: ${details}`,
      { headers: { "retry-after": "1" } },
    );
  }
  if (code === Status.DEADLINE_EXCEEDED) {
    return new Problem(
      problem.status,
      problem.title,
      `the controlplane at ${controlplane} did not answer in time: ${details}`,
      { headers: problem.headers },
    );
  }
  return problem;
}
