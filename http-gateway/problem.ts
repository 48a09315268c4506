import type { Response } from "express";
import { Status } from "nice-grpc-common";
import { HttpError } from "../common/HttpError.js";

/** One offending field, named as in the JSON the client sent. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem: every error the gateway answers is one of these. */
export class Problem extends HttpError {
  readonly errors: FieldError[];

  constructor(
    status: number,
    title: string,
    detail: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(status, title, detail, extra.headers);
    this.errors = extra.errors ?? [];
  }

  /** The problem for any HTTP error, with no field list. */
  static of(err: HttpError): Problem {
    return err instanceof Problem
      ? err
      : new Problem(err.status, err.title, err.message, { headers: err.headers });
  }

  send(res: Response): void {
    res
      .status(this.status)
      .set({ ...this.headers, "content-type": "application/problem+json" })
      .send(
        JSON.stringify({
          type: `https://jobhooks.dev/problems/${this.title.toLowerCase().replace(/[^a-z]+/g, "-")}`,
          title: this.title,
          status: this.status,
          detail: this.message,
          ...(this.errors.length > 0 && { errors: this.errors }),
        }),
      );
  }
}

export function badRequest(detail: string, errors: FieldError[] = []): Problem {
  return new Problem(400, "Bad Request", detail, { errors });
}

const HTTP_OF_GRPC: Partial<Record<Status, [number, string]>> = {
  [Status.INVALID_ARGUMENT]: [400, "Bad Request"],
  [Status.OUT_OF_RANGE]: [400, "Bad Request"],
  [Status.UNAUTHENTICATED]: [401, "Unauthorized"],
  [Status.PERMISSION_DENIED]: [403, "Forbidden"],
  [Status.NOT_FOUND]: [404, "Not Found"],
  [Status.ALREADY_EXISTS]: [409, "Conflict"],
  [Status.FAILED_PRECONDITION]: [409, "Conflict"],
  [Status.ABORTED]: [409, "Conflict"],
  [Status.RESOURCE_EXHAUSTED]: [429, "Too Many Requests"],
  [Status.UNAVAILABLE]: [503, "Service Unavailable"],
  [Status.DEADLINE_EXCEEDED]: [504, "Gateway Timeout"],
};

/** The HTTP problem for a gRPC error from the controlplane; field paths turned into REST names. */
export function problemFromGrpc(code: Status, details: string, fields: FieldError[]): Problem {
  const [status, title] = HTTP_OF_GRPC[code] ?? [502, "Bad Gateway"];
  const headers: Record<string, string> = status === 503 ? { "retry-after": "1" } : {};
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="jobhooks"';
  const detail = status === 503 ? `the controlplane is unavailable: ${details}` : details;
  const errors = fields.map((f) => ({ ...f, field: restField(f.field) }));
  return new Problem(status, title, detail, { errors, headers });
}

/** triggers[0].webhook_id → jobDoneTriggerWebhooks[0].webhookId; page_token → continue */
export function restField(grpcField: string): string {
  return grpcField
    .replace(/^triggers\b/, "jobDoneTriggerWebhooks")
    .replace(/^request_body$/, "requestBody")
    .replace(/^page_token$/, "continue")
    .replace(/^page_size$/, "limit")
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
