import { isAbortError } from "abort-controller-x";
import { ServerError, Status, type ServerMiddleware } from "nice-grpc";
import { BadRequest, PreconditionFailure, RichServerError } from "nice-grpc-error-details";
import type { Logger } from "../../common/logger.js";
import { AuthenticationError, PermissionDeniedError } from "../auth/Caller.js";
import { UnavailableError } from "../../contract/errors.js";
import {
  ConflictError,
  NotFoundError,
  PreconditionError,
  ValidationError,
  WebhookInUseError,
} from "../watchers/errors.js";

/**
 * Turns domain errors into gRPC statuses, with google.rpc.BadRequest field violations for
 * INVALID_ARGUMENT; anything unexpected is logged and becomes INTERNAL without its details.
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
  if (err instanceof ValidationError) {
    return new RichServerError(Status.INVALID_ARGUMENT, err.message, [
      BadRequest.fromPartial({ fieldViolations: [...err.violations] }),
    ]);
  }
  if (err instanceof AuthenticationError)
    return new ServerError(Status.UNAUTHENTICATED, err.message);
  if (err instanceof PermissionDeniedError)
    return new ServerError(Status.PERMISSION_DENIED, err.message);
  // The store, a review, an apiserver call that timed out (KubeTimeoutError) …
  if (err instanceof UnavailableError) return new ServerError(Status.UNAVAILABLE, err.message);
  if (err instanceof NotFoundError) {
    return err.violations.length > 0
      ? new RichServerError(Status.NOT_FOUND, err.message, [
          BadRequest.fromPartial({ fieldViolations: [...err.violations] }),
        ])
      : new ServerError(Status.NOT_FOUND, err.message);
  }
  if (err instanceof ConflictError) return new ServerError(Status.ALREADY_EXISTS, err.message);
  if (err instanceof WebhookInUseError) {
    // One violation per open watcher named, so a client need not parse the message.
    const violations = err.watcherIds.map((id) => ({
      type: "WATCHER_NOT_ENDED",
      subject: `jobdonewatchers/${id}`,
      description: `watcher ${id} names webhook ${err.webhookId} and has not ended`,
    }));
    return new RichServerError(Status.FAILED_PRECONDITION, err.message, [
      PreconditionFailure.fromPartial({ violations }),
    ]);
  }
  if (err instanceof PreconditionError)
    return new ServerError(Status.FAILED_PRECONDITION, err.message);
  log.error({ err, method }, "unexpected error in a gRPC call");
  return new ServerError(Status.INTERNAL, "internal error; see the controlplane's log");
}
