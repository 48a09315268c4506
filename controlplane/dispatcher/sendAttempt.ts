import { fetch, Headers, Request, type Response } from "undici";
import { VERSION } from "../../common/version.js";
import { EgressDeniedError, type Egress } from "../egress/Egress.js";
import { classifyStatus, StatusClass } from "./classifyStatus.js";
import { parseRetryAfter } from "./retryAfter.js";
import { signatures } from "./sign.js";

/** One POST of one delivery. Retries are new attempts with the same `id`. */
export interface Attempt {
  /** `webhook-id`: the delivery's id, the same on every retry so receivers can deduplicate. */
  id: string;
  /** An http: or https: URL. */
  url: string;
  body: string;
  /** e.g. application/json */
  contentType: string;
  /** `whsec_…`; when set, the attempt carries a `webhook-signature`. */
  secret?: string;
  /** During a rotation's overlap, the secret it replaced: its signature follows the secret's. */
  previousSecret?: string;
  /** More headers (templated ones, CloudEvents'); they cannot replace the ones above. */
  headers?: Record<string, string>;
  /**
   * The whole attempt, response headers and the error text included, must finish within this
   * many ms; e.g. 10000 gives up on a silent receiver after 10 s with "timed out after 10000 ms".
   */
  timeoutMs: number;
  /** Cancels the attempt (shutdown, watcher cancelled); the result is then "aborted". */
  signal?: AbortSignal;
}

export type AttemptResult =
  | { kind: "delivered"; status: number; durationMs: number }
  | { kind: "retry"; status?: number; error: string; retryAfterMs?: number; durationMs: number }
  | { kind: "rejected"; status: number; error: string; durationMs: number }
  | { kind: "aborted"; durationMs: number };

// Enough to see what a receiver complained about, not enough for a receiver to fill our memory.
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ERROR_CHARS = 200;
// setTimeout fires at once for anything above 2^31-1 ms.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * POSTs one Standard Webhooks attempt through `egress` (the guarded connection pool) and says
 * what to do next. Whatever the receiver or the network does becomes a result, never an
 * exception; only a malformed `attempt` (bad URL, secret or timeout, a header value fetch
 * refuses) throws, because retrying cannot fix it. An address the egress policy denies is
 * "rejected" (status 0, "EgressDenied: …"): no connection is made, and retrying cannot help.
 *
 * Once a status has arrived the result follows from it; a timeout or abort while reading the
 * error text only shortens the text.
 */
export async function sendAttempt(
  attempt: Attempt,
  egress: Egress,
  now: () => Date = () => new Date(),
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const request = buildRequest(attempt, Math.floor(now().getTime() / 1000));
  if (attempt.signal?.aborted) return { kind: "aborted", durationMs: elapsed() };
  const stop = attemptSignal(attempt.timeoutMs, attempt.signal);
  let response: Response;
  try {
    response = await fetch(request, { signal: stop.signal, dispatcher: egress.dispatcher });
  } catch (err) {
    stop.dispose();
    return failed(err, stop.reason(), attempt.timeoutMs, elapsed());
  }
  try {
    return await fromResponse(response, now, elapsed);
  } finally {
    stop.dispose();
  }
}

// No response: stopped by the caller or our timeout, refused by the egress policy, or a network
// failure to retry.
function failed(
  err: unknown,
  reason: StopReason | undefined,
  timeoutMs: number,
  durationMs: number,
): AttemptResult {
  if (reason === "caller") return { kind: "aborted", durationMs };
  if (reason === "timeout")
    return { kind: "retry", error: `timed out after ${timeoutMs} ms`, durationMs };
  const cause = rootCause(err);
  if (cause instanceof EgressDeniedError) {
    return { kind: "rejected", status: 0, error: `EgressDenied: ${cause.message}`, durationMs };
  }
  return { kind: "retry", error: describeNetworkError(err), durationMs };
}

function buildRequest(attempt: Attempt, timestampSeconds: number): Request {
  const { id, url, body, contentType, secret, previousSecret, timeoutMs, headers: extra } = attempt;
  if (!id) throw new TypeError("sendAttempt: id is empty");
  if (!URL.canParse(url) || !["http:", "https:"].includes(new URL(url).protocol)) {
    throw new TypeError(`sendAttempt: not an http(s) URL: ${url}`);
  }
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`sendAttempt: timeoutMs must be in (0, 2^31-1], got ${timeoutMs}`);
  }
  const headers = new Headers({
    "content-type": contentType,
    "user-agent": `jobhooks/${VERSION}`,
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
  });
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (!headers.has(name)) headers.set(name, value);
  }
  const secrets = [secret, previousSecret].filter((s) => s !== undefined);
  if (secrets.length > 0) {
    headers.set("webhook-signature", signatures(secrets, id, timestampSeconds, body));
  }
  // Built before sending so that what fetch refuses (credentials in the URL, a newline in a
  // header) surfaces as the caller's error, not as a network failure to retry.
  // A redirect is the receiver's answer, not a new destination: see classifyStatus.
  return new Request(url, { method: "POST", headers, body, redirect: "manual" });
}

async function fromResponse(
  response: Response,
  now: () => Date,
  elapsed: () => number,
): Promise<AttemptResult> {
  const { status } = response;
  const verdict = classifyStatus(status);
  if (verdict === StatusClass.Delivered) {
    // The body means nothing to us; cancelling frees the connection without waiting for it.
    await response.body?.cancel().catch(() => undefined);
    return { kind: "delivered", status, durationMs: elapsed() };
  }
  const error = describeStatus(response, await readCapped(response.body));
  if (verdict === StatusClass.Rejected) {
    return { kind: "rejected", status, error, durationMs: elapsed() };
  }
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
  return {
    kind: "retry",
    status,
    error,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    durationMs: elapsed(),
  };
}

type StopReason = "caller" | "timeout";

interface AttemptSignal {
  signal: AbortSignal;
  /** Which stopped the attempt first, if either did. */
  reason: () => StopReason | undefined;
  dispose: () => void;
}

// One signal for fetch, remembering whether our timeout or the caller fired first: the caller's
// abort is not the receiver's fault and must never count as a failed attempt.
function attemptSignal(timeoutMs: number, caller: AbortSignal | undefined): AttemptSignal {
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const stop = (why: StopReason): void => {
    reason ??= why;
    controller.abort();
  };
  const timer = setTimeout(() => stop("timeout"), timeoutMs);
  const onCallerAbort = (): void => stop("caller");
  caller?.addEventListener("abort", onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => reason,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onCallerAbort);
    },
  };
}

/** Up to MAX_BODY_BYTES of the body as text; the rest is cancelled, never read. */
async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  try {
    while (bytes < MAX_BODY_BYTES) {
      const chunk = await reader.read();
      if (chunk.done) return text + decoder.decode();
      bytes += chunk.value.byteLength;
      text += decoder.decode(chunk.value, { stream: true });
    }
    return text;
  } catch {
    // Cut short by our timeout, an abort or a reset: the status already decided the result.
    return text;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function describeStatus(response: Response, body: string): string {
  const location = response.headers.get("location");
  const redirect =
    response.status >= 300 && response.status <= 399 && location
      ? ` redirect to ${clip(location)} (not followed)`
      : "";
  const text = clip(body);
  return `HTTP ${response.status}${redirect}${text ? `: ${text}` : ""}`;
}

/** One line of at most MAX_ERROR_CHARS, safe to log: controls and runs of spaces become one. */
function clip(text: string): string {
  const line = text.replace(/[\s\p{Cc}]+/gu, " ").trim();
  if (line.length <= MAX_ERROR_CHARS) return line;
  // Drop a dangling high surrogate rather than emit half a character.
  return `${line.slice(0, MAX_ERROR_CHARS - 1).replace(/[\uD800-\uDBFF]$/, "")}…`;
}

const NETWORK_ERRORS: Readonly<Partial<Record<string, string>>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed by the receiver",
  UND_ERR_SOCKET: "connection closed by the receiver",
  ENOTFOUND: "host not found (DNS)",
  EAI_AGAIN: "DNS lookup failed (temporary)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connect timed out",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for response headers",
};

// fetch rejects with TypeError("fetch failed") and the real reason in `cause`; certificate
// problems carry OpenSSL's names.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

function describeNetworkError(err: unknown): string {
  const cause = rootCause(err);
  const code = errorCode(cause);
  const known = code === undefined ? undefined : NETWORK_ERRORS[code];
  if (known !== undefined) return known;
  const message = clip(cause instanceof Error ? cause.message : String(cause)) || "request failed";
  return code !== undefined && TLS_CODE.test(code) ? `TLS: ${message}` : message;
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
