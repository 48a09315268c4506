import type { WebhookSource } from "./model.js";

/**
 * The errors of the API. Each carries a code that every transport maps by one table: gRPC to a
 * status (controlplane/grpc, client/), REST to an HTTP status (rest/). Field paths are the
 * domain's (contract/fields.ts names them for each transport).
 */
export type ErrorCode =
  | "invalid-argument"
  | "unauthenticated"
  | "permission-denied"
  | "not-found"
  | "already-exists"
  | "failed-precondition"
  | "resource-exhausted"
  | "unavailable"
  | "deadline-exceeded"
  | "internal";

export interface FieldViolation {
  /** Path of the offending field in the domain's names, e.g. "triggers[0].webhookId". */
  field: string;
  description: string;
}

/** A precondition that failed, e.g. a watcher that has not ended (subject: jobdonewatchers/ID). */
export interface PreconditionViolation {
  type: string;
  subject: string;
  description: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
    readonly preconditions: readonly PreconditionViolation[] = [],
  ) {
    super(message);
  }
}

/** The request is malformed, with one violation per offending field. */
export class ValidationError extends ApiError {
  constructor(violations: FieldViolation[]) {
    super(
      "invalid-argument",
      violations.map((v) => `${v.field}: ${v.description}`).join("; "),
      violations,
    );
  }
}

/** `violations` name the fields of a request that refer to what does not exist. */
export class NotFoundError extends ApiError {
  constructor(message: string, violations: FieldViolation[] = []) {
    super("not-found", message, violations);
  }
}

/** An idempotency key reused for a different request. */
export class ConflictError extends ApiError {
  constructor(message: string) {
    super("already-exists", message);
  }
}

/** E.g. cancelling a watcher that already ended. */
export class PreconditionError extends ApiError {
  constructor(message: string, preconditions: PreconditionViolation[] = []) {
    super("failed-precondition", message, [], preconditions);
  }
}

/** A webhook cannot be deleted while watchers that have not ended name it. */
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
      // One violation per open watcher named, so a client need not parse the message.
      watcherIds.map((id) => ({
        type: "WATCHER_NOT_ENDED",
        subject: `jobdonewatchers/${id}`,
        description: `watcher ${id} names webhook ${webhookId} and has not ended`,
      })),
    );
  }
}

/**
 * A webhook mirrored from a Webhook or ClusterWebhook object cannot be deleted through the API:
 * the object is its truth, and would bring it back.
 */
export class WebhookMirroredError extends PreconditionError {
  constructor(
    readonly webhookId: string,
    readonly source: WebhookSource,
    /** What to do instead. */
    fix = "change or delete it with kubectl",
  ) {
    const object = sourceName(source);
    super(`webhook ${webhookId} mirrors ${object}: ${fix}`, [
      {
        type: "WEBHOOK_MIRRORED",
        subject: sourceSubject(source),
        description: `webhook ${webhookId} mirrors ${object}`,
      },
    ]);
  }
}

/** "Webhook ns/name" or "ClusterWebhook name", as people and kubectl name objects. */
export function sourceName(s: WebhookSource): string {
  return s.kind === "Webhook" ? `Webhook ${s.namespace}/${s.name}` : `ClusterWebhook ${s.name}`;
}

// As kubectl names it: webhooks.jobhooks.dev/NAME (-n NAMESPACE), the namespace written first.
function sourceSubject(s: WebhookSource): string {
  return s.kind === "Webhook"
    ? `namespaces/${s.namespace}/webhooks.jobhooks.dev/${s.name}`
    : `clusterwebhooks.jobhooks.dev/${s.name}`;
}

export class AuthenticationError extends ApiError {
  constructor(message: string) {
    super("unauthenticated", message);
  }
}

/** `violations` name the fields of a request that refer to what the caller may not use. */
export class PermissionDeniedError extends ApiError {
  constructor(message: string, violations: FieldViolation[] = []) {
    super("permission-denied", message, violations);
  }
}

/** Something the controlplane needs (its store, the apiserver) cannot answer now; retry later. */
export class UnavailableError extends ApiError {
  constructor(message: string, options?: ErrorOptions) {
    super("unavailable", message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
