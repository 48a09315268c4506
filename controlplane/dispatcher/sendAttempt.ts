import type { Request, Response } from "undici";
import { VERSION } from "../../common/version.js";
import { ErrorClass } from "../../contract/model.js";
import type { Egress, EgressHttp } from "../egress/Egress.js";
import { classifyStatus, StatusClass } from "./classifyStatus.js";
import { networkFailure } from "./networkError.js";
import {
  describeStatus,
  readCapped,
  RESPONSE_PREFIX_BYTES,
  responseHeaders,
  responsePrefix,
} from "./responseDetail.js";
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

/** What an attempt showed beyond its verdict, for the attempt log. */
export interface AttemptDetail {
  /** The URL's host (with its port when not the scheme's default). */
  host?: string;
  /** Why it did not succeed; absent for a 2xx. */
  errorClass?: ErrorClass;
  /** The response body's first 1 KiB as text, whatever the status. */
  responsePrefix?: string;
  /** The response's RESPONSE_HEADERS it sent, values cut short. */
  responseHeaders?: Record<string, string>;
}

export type AttemptResult = (
  | { kind: "delivered"; status: number; durationMs: number }
  | { kind: "retry"; status?: number; error: string; retryAfterMs?: number; durationMs: number }
  | { kind: "rejected"; status: number; error: string; durationMs: number }
  | { kind: "aborted"; durationMs: number }
) &
  AttemptDetail;

// Enough to see what a receiver complained about, not enough for a receiver to fill our memory.
const MAX_BODY_BYTES = 64 * 1024;
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
  const http = await egress.http();
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const request = buildRequest(http, attempt, Math.floor(now().getTime() / 1000));
  const host = new URL(attempt.url).host;
  if (attempt.signal?.aborted) return { kind: "aborted", durationMs: elapsed(), host };
  const stop = attemptSignal(attempt.timeoutMs, attempt.signal);
  let response: Response;
  try {
    response = await http.fetch(request, { signal: stop.signal, dispatcher: http.dispatcher });
  } catch (err) {
    stop.dispose();
    return { ...failed(err, stop.reason(), attempt.timeoutMs, elapsed()), host };
  }
  try {
    return { ...(await fromResponse(response, now, elapsed)), host };
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
  if (reason === "timeout") {
    const error = `timed out after ${timeoutMs} ms`;
    return { kind: "retry", error, errorClass: ErrorClass.TIMEOUT, durationMs };
  }
  const { error, errorClass } = networkFailure(err);
  // Retrying cannot help: no connection is made.
  if (errorClass === ErrorClass.EGRESS_DENIED) {
    return { kind: "rejected", status: 0, error, errorClass, durationMs };
  }
  return { kind: "retry", error, errorClass, durationMs };
}

function buildRequest(
  { Headers, Request }: EgressHttp,
  attempt: Attempt,
  timestampSeconds: number,
): Request {
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
  const headers = responseHeaders(response);
  // A 2xx's body means nothing to us but its first bytes for the log; an error's is read further
  // for what the receiver complained about.
  const cap = verdict === StatusClass.Delivered ? RESPONSE_PREFIX_BYTES : MAX_BODY_BYTES;
  const body = await readCapped(response.body, cap);
  const detail = { responsePrefix: responsePrefix(body), responseHeaders: headers };
  if (verdict === StatusClass.Delivered) {
    return { kind: "delivered", status, durationMs: elapsed(), ...detail };
  }
  const error = describeStatus(response, new TextDecoder().decode(body));
  const failure = { status, error, errorClass: ErrorClass.HTTP, ...detail };
  if (verdict === StatusClass.Rejected) {
    return { kind: "rejected", ...failure, durationMs: elapsed() };
  }
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
  return {
    kind: "retry",
    ...failure,
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
