import { UnavailableError } from "../../contract/errors.js";

/** A non-2xx answer of the apiserver; `code` is the HTTP status, as client-node's ApiException has. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The apiserver did not answer a call within the request timeout (--kube-request-timeout). The
 * caller is not at fault and may try again (UNAVAILABLE, 503). A write that timed out may still
 * have been applied: the answer, not the request, was lost.
 */
export class KubeTimeoutError extends UnavailableError {
  constructor(method: string, path: string, timeoutMs: number) {
    super(`the apiserver did not answer within ${timeoutMs / 1000} s (${method} ${path})`);
  }
}
