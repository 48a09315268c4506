import { ErrorClass } from "../../contract/model.js";
import { EgressDeniedError } from "../egress/Egress.js";
import { clip } from "./responseDetail.js";

/** A failure before any response: what people read, and its class for the attempt log. */
export interface NetworkFailure {
  error: string;
  errorClass: ErrorClass;
}

const NETWORK_ERRORS: Readonly<Partial<Record<string, [string, ErrorClass]>>> = {
  ECONNREFUSED: ["connection refused", ErrorClass.REFUSED],
  ECONNRESET: ["connection reset", ErrorClass.REFUSED],
  EPIPE: ["connection closed by the receiver", ErrorClass.REFUSED],
  UND_ERR_SOCKET: ["connection closed by the receiver", ErrorClass.REFUSED],
  ENOTFOUND: ["host not found (DNS)", ErrorClass.DNS],
  EAI_AGAIN: ["DNS lookup failed (temporary)", ErrorClass.DNS],
  EAI_FAIL: ["DNS lookup failed", ErrorClass.DNS],
  ENODATA: ["host has no address (DNS)", ErrorClass.DNS],
  EHOSTUNREACH: ["host unreachable", ErrorClass.NETWORK],
  ENETUNREACH: ["network unreachable", ErrorClass.NETWORK],
  ETIMEDOUT: ["connect timed out", ErrorClass.TIMEOUT],
  UND_ERR_CONNECT_TIMEOUT: ["connect timed out", ErrorClass.TIMEOUT],
  UND_ERR_HEADERS_TIMEOUT: ["timed out waiting for response headers", ErrorClass.TIMEOUT],
};

// fetch rejects with TypeError("fetch failed") and the real reason in `cause`; certificate
// problems carry OpenSSL's names, a handshake with a server that speaks no TLS EPROTO or
// ERR_SSL_*.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/** What a fetch that got no response failed of, with its class. */
export function networkFailure(err: unknown): NetworkFailure {
  const cause = rootCause(err);
  if (cause instanceof EgressDeniedError) {
    return { error: `EgressDenied: ${cause.message}`, errorClass: ErrorClass.EGRESS_DENIED };
  }
  const code = errorCode(cause);
  const known = code === undefined ? undefined : NETWORK_ERRORS[code];
  if (known !== undefined) return { error: known[0], errorClass: known[1] };
  const message = clip(cause instanceof Error ? cause.message : String(cause)) || "request failed";
  if (code !== undefined && TLS_CODE.test(code)) {
    return { error: `TLS: ${message}`, errorClass: ErrorClass.TLS };
  }
  return { error: message, errorClass: ErrorClass.NETWORK };
}

function rootCause(err: unknown): unknown {
  let current = err;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  // Connecting to several addresses (IPv4 and IPv6) fails with all of their errors at once.
  if (current instanceof AggregateError && errorCode(current) === undefined) {
    return (current.errors as unknown[])[0] ?? current;
  }
  return current;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
