import { isAbortError } from "abort-controller-x";
import { ServerError, Status, type ServerMiddleware } from "nice-grpc";
import { BadRequest, PreconditionFailure, RichServerError } from "nice-grpc-error-details";
import { ApiError, ValidationError } from "../../contract/errors.js";
import { fieldName } from "../../contract/fields.js";
import type { Logger } from "../../common/logger.js";
import { STATUS_OF_CODE } from "../../proto/codec/status.js";

/**
 * Turns the API's errors into gRPC statuses, with google.rpc.BadRequest field violations (in the
 * proto's names) and google.rpc.PreconditionFailure; anything unexpected is logged and becomes
 * INTERNAL without its details.
 */
export function errorMappingMiddleware(log: Logger): ServerMiddleware {
  return async function* (call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (err) {
      if (isAbortError(err) || err instanceof ServerError) throw err;
      throw toServerError(err, call.method.path, log);
    }
  };
}

export function toServerError(err: unknown, method: string, log: Logger): ServerError {
  if (err instanceof ServerError) return err;
  if (!(err instanceof ApiError)) {
    log.error({ err, method }, "unexpected error in a gRPC call");
    return new ServerError(Status.INTERNAL, "internal error; see the controlplane's log");
  }
  // proto/codec's statuses are gRPC's numbers (read without nice-grpc), the enum's own.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
  const status = STATUS_OF_CODE[err.code] as Status;
  const fieldViolations = err.violations.map((v) => ({
    field: fieldName(v.field, "proto"),
    description: v.description,
  }));
  // A validation error's message lists its fields: by the names the wire speaks.
  const message =
    err instanceof ValidationError
      ? fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; ")
      : err.message;
  const details = [
    ...(fieldViolations.length > 0 ? [BadRequest.fromPartial({ fieldViolations })] : []),
    ...(err.preconditions.length > 0
      ? [PreconditionFailure.fromPartial({ violations: [...err.preconditions] })]
      : []),
  ];
  return details.length > 0
    ? new RichServerError(status, message, details)
    : new ServerError(status, message);
}
