import { connect, type ClientHttp2Session } from "node:http2";
import { connect as netConnect } from "node:net";
import { GrpcStatus } from "../../proto/codec/grpcStatus.js";
import { LiteClientError } from "./errors.js";

/** Waits between failed connections, as the grpc-js channel had them (200 ms up to 5 s). */
export interface ReconnectBackoff {
  initialMs: number;
  maxMs: number;
}

const DEFAULT_BACKOFF: ReconnectBackoff = { initialMs: 200, maxMs: 5000 };
// grpc-js' backoff: each wait 1.6 times the last, ±20 % jitter.
const MULTIPLIER = 1.6;
const JITTER = 0.2;
// HTTP/2 stream ids are 31-bit; a client's are odd.
const LAST_STREAM_ID = 2 ** 31 - 1;

/** The URL http2.connect is given for `target`: HOST:PORT, [V6]:PORT, dns:///HOST:PORT, unix:PATH. */
export function authorityOf(target: string): { url: string; socketPath?: string } {
  if (target.startsWith("unix:")) {
    return {
      url: "http://localhost",
      socketPath: target.slice("unix:".length).replace(/^\/\//, ""),
    };
  }
  return { url: `http://${target.replace(/^dns:(\/\/[^/]*\/)?/, "")}` };
}

/**
 * One HTTP/2 connection to a gRPC server, opened when a call needs it and opened again when it
 * closed, failed or was told to go away (a restarted server is found at the next call). After a
 * failed connection calls fail at once with UNAVAILABLE until its backoff has passed, as grpc-js'
 * do in TRANSIENT_FAILURE. The connection holds the process open only while calls are running.
 */
export class Http2Channel {
  private current: ClientHttp2Session | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError = "";
  private active = 0;
  private readonly connected = new WeakSet<ClientHttp2Session>();

  constructor(
    readonly target: string,
    private readonly backoff: ReconnectBackoff = DEFAULT_BACKOFF,
  ) {}

  /** The session for a call of `path`; release() it when the call has ended. */
  acquire(path: string): ClientHttp2Session {
    const session = this.usable() ?? this.open(path);
    this.active++;
    session.ref();
    return session;
  }

  release(session: ClientHttp2Session): void {
    this.active--;
    if (this.active === 0 && !session.destroyed) session.unref();
  }

  /** Why a call on `session` failed with `err`: the connection never opened, or it dropped. */
  unavailable(session: ClientHttp2Session, err: Error): string {
    if (this.connected.has(session)) return `Connection dropped: ${err.message}`;
    // A stream queued on a connection that failed is cancelled with the connection's error.
    const cause = err.cause instanceof Error ? err.cause : err;
    return `No connection established. Last error: ${String(cause)}`;
  }

  close(): void {
    this.current?.close();
    this.current = undefined;
  }

  private usable(): ClientHttp2Session | undefined {
    const s = this.current;
    if (!s || s.closed || s.destroyed) return undefined;
    // A connection's stream ids run out after about a billion calls: the next one opens another,
    // and this one closes when its calls have ended.
    if ((s.state.nextStreamID ?? 0) < LAST_STREAM_ID) return s;
    s.close();
    this.current = undefined;
    return undefined;
  }

  private open(path: string): ClientHttp2Session {
    if (Date.now() < this.retryAt) {
      throw new LiteClientError(
        path,
        GrpcStatus.UNAVAILABLE,
        `No connection established. Last error: ${this.lastError}`,
      );
    }
    const { url, socketPath } = authorityOf(this.target);
    const session = connect(
      url,
      socketPath ? { createConnection: () => netConnect(socketPath) } : {},
    );
    this.current = session;
    const forget = (): void => {
      if (this.current === session) this.current = undefined;
    };
    session.once("connect", () => {
      this.connected.add(session);
      this.failures = 0;
      this.retryAt = 0;
    });
    session.on("error", (err: Error) => {
      forget();
      if (!this.connected.has(session)) this.failed(err);
    });
    session.once("goaway", forget);
    session.once("close", forget);
    return session;
  }

  private failed(err: Error): void {
    this.lastError = String(err);
    const wait = Math.min(this.backoff.maxMs, this.backoff.initialMs * MULTIPLIER ** this.failures);
    this.failures++;
    this.retryAt = Date.now() + wait * (1 + JITTER * (Math.random() * 2 - 1));
  }
}
