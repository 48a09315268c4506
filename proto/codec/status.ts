import type { ErrorCode } from "../../contract/errors.js";
import { GrpcStatus as Status } from "./grpcStatus.js";

/** Each API error code's gRPC status, and back: the one table both sides of gRPC read. */
export const STATUS_OF_CODE: Record<ErrorCode, Status> = {
  "invalid-argument": Status.INVALID_ARGUMENT,
  unauthenticated: Status.UNAUTHENTICATED,
  "permission-denied": Status.PERMISSION_DENIED,
  "not-found": Status.NOT_FOUND,
  "already-exists": Status.ALREADY_EXISTS,
  "failed-precondition": Status.FAILED_PRECONDITION,
  "resource-exhausted": Status.RESOURCE_EXHAUSTED,
  unavailable: Status.UNAVAILABLE,
  "deadline-exceeded": Status.DEADLINE_EXCEEDED,
  internal: Status.INTERNAL,
};

const CODE_OF_STATUS = new Map<number, ErrorCode>([
  ...Object.entries(STATUS_OF_CODE).map(([code, status]) => [status, code as ErrorCode] as const),
  // Statuses the controlplane does not send but a transport may produce.
  [Status.OUT_OF_RANGE, "invalid-argument"],
  [Status.ABORTED, "failed-precondition"],
]);

/** The API's code for a gRPC status; anything else (UNKNOWN, CANCELLED…) is internal. */
export function codeOfStatus(status: number): ErrorCode {
  return CODE_OF_STATUS.get(status) ?? "internal";
}
