import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { GrpcStatus } from "../../proto/codec/grpcStatus.js";
import { callStatus, type CallStatus } from "./callStatus.js";
import { abortReason, LiteClientError } from "./errors.js";
import { frame, FrameError, unframe } from "./frames.js";
import type { Http2Channel } from "./Http2Channel.js";

/** One attempt of a unary call. */
export interface Attempt {
  path: string;
  request: Uint8Array;
  /** Sent as the authorization metadata. */
  authorization?: string | undefined;
  /** Sent as grpc-timeout; the caller keeps the deadline itself. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

// The status of a stream the server reset before any status (as grpc-js maps RST_STREAM codes).
const STATUS_OF_RST: Record<number, GrpcStatus> = {
  [constants.NGHTTP2_REFUSED_STREAM]: GrpcStatus.UNAVAILABLE,
  [constants.NGHTTP2_CANCEL]: GrpcStatus.CANCELLED,
  [constants.NGHTTP2_ENHANCE_YOUR_CALM]: GrpcStatus.RESOURCE_EXHAUSTED,
  [constants.NGHTTP2_INADEQUATE_SECURITY]: GrpcStatus.PERMISSION_DENIED,
};

/** grpc-timeout: at most 8 digits, in milliseconds, else in seconds. */
export function grpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.min(99_999_999, Math.ceil(whole / 1000))}S`;
}

function requestHeaders(a: Attempt): Record<string, string> {
  return {
    [constants.HTTP2_HEADER_METHOD]: "POST",
    [constants.HTTP2_HEADER_PATH]: a.path,
    "content-type": "application/grpc",
    te: "trailers",
    "grpc-accept-encoding": "identity",
    "user-agent": "jobhooks-grpc-lite",
    ...(a.timeoutMs !== undefined && { "grpc-timeout": grpcTimeout(a.timeoutMs) }),
    ...(a.authorization && { authorization: a.authorization }),
  };
}

interface Answer {
  headers?: IncomingHttpHeaders;
  trailers?: IncomingHttpHeaders;
  body: Buffer[];
}

// The one response message of an ended stream, or the error its status says.
function outcome(path: string, answer: Answer, rstCode: number): Buffer {
  const status: CallStatus =
    answer.headers || answer.trailers || rstCode === constants.NGHTTP2_NO_ERROR
      ? callStatus(answer.headers, answer.trailers)
      : {
          code: STATUS_OF_RST[rstCode] ?? GrpcStatus.INTERNAL,
          details: `Received RST_STREAM with code ${rstCode}`,
          extra: [],
        };
  if (status.code !== GrpcStatus.OK) {
    throw new LiteClientError(path, status.code, status.details, status.extra);
  }
  let messages: Buffer[];
  try {
    messages = unframe(Buffer.concat(answer.body));
  } catch (err) {
    if (!(err instanceof FrameError)) throw err;
    throw new LiteClientError(path, GrpcStatus.INTERNAL, `Received ${err.message}`);
  }
  if (messages.length !== 1) {
    throw new LiteClientError(
      path,
      GrpcStatus.UNIMPLEMENTED,
      `Received ${messages.length} responses for a unary call`,
    );
  }
  return messages[0] as Buffer;
}

/**
 * One attempt: the request framed on a new stream of the channel's connection, the response
 * message or a LiteClientError with the status, or AbortError when `signal` aborts.
 */
export function unaryAttempt(channel: Http2Channel, a: Attempt): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (a.signal?.aborted) {
      reject(abortReason(a.signal));
      return;
    }
    const session = channel.acquire(a.path);
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(requestHeaders(a));
    } catch (err) {
      // The connection closed between acquire and request.
      channel.release(session);
      const message = channel.unavailable(session, err as Error);
      reject(new LiteClientError(a.path, GrpcStatus.UNAVAILABLE, message));
      return;
    }
    const answer: Answer = { body: [] };
    let failure: Error | undefined;
    const onAbort = (): void => {
      failure = abortReason(a.signal);
      stream.close(constants.NGHTTP2_CANCEL);
    };
    a.signal?.addEventListener("abort", onAbort, { once: true });
    stream.on("response", (h) => (answer.headers = h));
    stream.on("trailers", (t: IncomingHttpHeaders) => (answer.trailers = t));
    stream.on("data", (chunk: Buffer) => answer.body.push(chunk));
    stream.on("error", (err: Error) => {
      failure ??= new LiteClientError(
        a.path,
        GrpcStatus.UNAVAILABLE,
        channel.unavailable(session, err),
      );
    });
    stream.on("close", () => {
      a.signal?.removeEventListener("abort", onAbort);
      channel.release(session);
      if (failure !== undefined) reject(failure);
      else settle(() => outcome(a.path, answer, stream.rstCode), resolve, reject);
    });
    stream.end(frame(a.request));
  });
}

function settle<T>(f: () => T, resolve: (v: T) => void, reject: (e: unknown) => void): void {
  try {
    resolve(f());
  } catch (err) {
    reject(err);
  }
}
