/** Errors of the domain are the API's (contract/errors.ts); each transport maps their codes. */
export {
  ConflictError,
  NotFoundError,
  PreconditionError,
  ValidationError,
  WebhookInUseError,
  type FieldViolation,
} from "../../contract/errors.js";
