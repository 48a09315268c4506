/** Errors of the domain are the API's (contract/errors.ts); each transport maps their codes. */
export {
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  PreconditionError,
  ValidationError,
  WebhookInUseError,
  WebhookMirroredError,
  sourceName,
  type FieldViolation,
} from "../../contract/errors.js";
