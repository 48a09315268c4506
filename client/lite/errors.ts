import { GrpcStatus } from "../../proto/codec/grpcStatus.js";

/**
 * A call that ended with a status other than OK: the shape of nice-grpc's ClientError (path,
 * code, details) and of its RichClientError (extra: the decoded google.rpc error details), which
 * is what fromGrpcError reads.
 */
export class LiteClientError extends Error {
  override readonly name = "ClientError";

  constructor(
    readonly path: string,
    readonly code: GrpcStatus,
    readonly details: string,
    readonly extra: unknown[] = [],
  ) {
    super(`${path} ${statusName(code)}: ${details}`);
  }
}

/** A status code's name, e.g. UNAVAILABLE. */
export function statusName(code: number): string {
  return Object.entries(GrpcStatus).find(([, n]) => n === code)?.[0] ?? String(code);
}

/**
 * A call its caller aborted, as abort-controller-x's AbortError (which nice-grpc throws): named
 * AbortError, with its message, so callers that test the name see no difference.
 */
export class AbortError extends Error {
  override readonly name = "AbortError";

  constructor() {
    super("The operation has been aborted");
  }
}

/**
 * What an aborted call rejects with: the signal's reason (a DOMException named AbortError when
 * abort() was called without one), as abort-controller-x's execute() does for nice-grpc.
 */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new AbortError();
}

export function isAbortError(err: unknown): boolean {
  return typeof err === "object" && err !== null && "name" in err && err.name === "AbortError";
}
