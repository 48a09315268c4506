/** Errors of the domain; the gRPC layer maps each to a status code (see grpc/errorMapping.ts). */

export interface FieldViolation {
  /** Path of the offending field in the request, e.g. "triggers[0].webhook_id". */
  field: string;
  description: string;
}

/** The request is malformed: INVALID_ARGUMENT, with one violation per offending field. */
export class ValidationError extends Error {
  constructor(readonly violations: FieldViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.description}`).join("; "));
  }
}

/** NOT_FOUND; `violations` name the fields of a request that refer to what does not exist. */
export class NotFoundError extends Error {
  constructor(
    message: string,
    readonly violations: FieldViolation[] = [],
  ) {
    super(message);
  }
}

/** ALREADY_EXISTS: an idempotency key reused for a different request. */
export class ConflictError extends Error {}

/** FAILED_PRECONDITION: e.g. cancelling a watcher that already ended. */
export class PreconditionError extends Error {}

/** FAILED_PRECONDITION: a webhook cannot be deleted while watchers that have not ended name it. */
export class WebhookInUseError extends PreconditionError {
  constructor(
    readonly webhookId: string,
    /** The oldest of them; `count` says how many there are. */
    readonly watcherIds: string[],
    readonly count: number,
  ) {
    const more = count > watcherIds.length ? ` and ${count - watcherIds.length} more` : "";
    super(
      `webhook ${webhookId} is named by ${count} watcher(s) that have not ended (PENDING or PROCESSING): ${watcherIds.join(", ")}${more}; cancel them or wait until they end`,
    );
  }
}
