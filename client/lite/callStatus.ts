import type { IncomingHttpHeaders } from "node:http2";
import { GrpcStatus } from "../../proto/codec/grpcStatus.js";
import { decodeErrorDetails } from "./errorDetails.js";

/** How a call ended: its status, message and rich error details. */
export interface CallStatus {
  code: GrpcStatus;
  details: string;
  extra: unknown[];
}

// The status of an answer without grpc-status, by its HTTP status (grpc/doc/http-grpc-status-mapping.md).
const STATUS_OF_HTTP: Record<number, GrpcStatus> = {
  400: GrpcStatus.INTERNAL,
  401: GrpcStatus.UNAUTHENTICATED,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.UNIMPLEMENTED,
  429: GrpcStatus.UNAVAILABLE,
  502: GrpcStatus.UNAVAILABLE,
  503: GrpcStatus.UNAVAILABLE,
  504: GrpcStatus.UNAVAILABLE,
};

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** grpc-message is percent-encoded; a malformed one is kept as it came. */
export function decodeGrpcMessage(message: string): string {
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

function detailsOf(encoded: string | undefined): unknown[] {
  if (!encoded) return [];
  try {
    return decodeErrorDetails(Buffer.from(encoded, "base64"));
  } catch {
    return [];
  }
}

/**
 * The status in `fields`: the trailers, or the headers of a trailers-only answer. Undefined when
 * they have no grpc-status.
 */
export function statusOfFields(fields: IncomingHttpHeaders): CallStatus | undefined {
  const status = one(fields["grpc-status"]);
  if (status === undefined) return undefined;
  const code = Number(status);
  return {
    code: (Number.isInteger(code) && code >= 0 && code <= 16
      ? code
      : GrpcStatus.UNKNOWN) as GrpcStatus,
    details: decodeGrpcMessage(one(fields["grpc-message"]) ?? ""),
    extra: detailsOf(one(fields["grpc-status-details-bin"])),
  };
}

/** The status of an answer that carries none, from its HTTP status. */
export function statusOfHttp(httpStatus: number | undefined): CallStatus {
  if (httpStatus === undefined || httpStatus === 200) {
    return { code: GrpcStatus.UNKNOWN, details: "No status received", extra: [] };
  }
  return {
    code: STATUS_OF_HTTP[httpStatus] ?? GrpcStatus.UNKNOWN,
    details: `Received HTTP status code ${httpStatus}`,
    extra: [],
  };
}

/**
 * A call's status: from its trailers, else from headers of a trailers-only answer, else from its
 * HTTP status.
 */
export function callStatus(
  headers: IncomingHttpHeaders | undefined,
  trailers: IncomingHttpHeaders | undefined,
): CallStatus {
  return (
    (trailers && statusOfFields(trailers)) ??
    (headers && statusOfFields(headers)) ??
    statusOfHttp(headers && Number(headers[":status"]))
  );
}
