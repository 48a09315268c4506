import { UnavailableError } from "../../contract/errors.js";

/**
 * The store could not do what was asked because the store itself is failing (a full disk, an
 * I/O error, a read-only volume), not because the request was wrong. Callers keep what they
 * meant to write and try again once the store works; the API answers UNAVAILABLE.
 */
export class StoreUnavailableError extends UnavailableError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the store cannot write: ${reason}`, options);
    this.name = "StoreUnavailableError";
  }
}

// SQLite result codes (and their extended forms, e.g. SQLITE_IOERR_WRITE) that describe the
// database's medium rather than the statement: an outage, not a bug.
const SQLITE_OUTAGES = [
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_NOMEM",
  "SQLITE_PROTOCOL",
];

// PostgreSQL SQLSTATEs, by class or in full: the connection (08), insufficient resources such as
// a full disk (53), a server shutting down or starting (57P01-57P03), a system error (58), and a
// read-only transaction: a standby after a failover (25006).
const POSTGRES_OUTAGES = /^(08|53|58|57P0[123]$|25006$)/;

// The socket to the server failed.
const SOCKET_OUTAGES = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"];

// pg reports a lost or unreachable server in messages without a code: "Connection terminated
// unexpectedly", "... due to connection timeout", the pool's "timeout exceeded when trying to
// connect", and a client-side "Query read timeout".
const POSTGRES_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/;

/**
 * The reason when `err` is an outage of the store, as it reads in a log line ("SQLITE_FULL:
 * database or disk is full", "57P01: terminating connection due to administrator command").
 */
export function outageReason(err: unknown): string | undefined {
  if (err instanceof StoreUnavailableError) return err.reason;
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string") {
    return POSTGRES_MESSAGES.test(err.message) ? err.message : undefined;
  }
  const outage =
    SQLITE_OUTAGES.some((c) => code.startsWith(c)) ||
    (code.length === 5 && POSTGRES_OUTAGES.test(code)) ||
    SOCKET_OUTAGES.includes(code);
  return outage ? `${code}: ${messageOf(err)}` : undefined;
}

// A connection refused on every address a name resolves to is an AggregateError without a
// message of its own.
function messageOf(err: Error): string {
  if (err.message !== "" || !(err instanceof AggregateError)) return err.message;
  return (err.errors as unknown[])
    .map((e) => (e instanceof Error ? e.message : String(e)))
    .join("; ");
}

export interface StoreFailure {
  reason: string;
  since: Date;
}

/**
 * Whether the store can write, as the last operations found it. Any operation that meets an
 * outage marks it failing; only a successful probe write (StoreWatchdog) marks it working
 * again, and then everyone waiting hears of it.
 */
export class StoreHealth {
  private current: StoreFailure | undefined;
  private readonly failedListeners: (() => void)[] = [];
  private readonly recoveredListeners: (() => void)[] = [];
  private readonly waiting = new Set<() => void>();

  get failure(): StoreFailure | undefined {
    return this.current;
  }

  /** Turns an outage into a StoreUnavailableError (and marks the store failing); others pass. */
  classify(err: unknown): Error {
    const reason = outageReason(err);
    if (reason === undefined) return err instanceof Error ? err : new Error(String(err));
    this.failed(reason);
    return err instanceof StoreUnavailableError
      ? err
      : new StoreUnavailableError(reason, { cause: err });
  }

  failed(reason: string): void {
    const first = this.current === undefined;
    this.current = { reason, since: this.current?.since ?? new Date() };
    if (first) for (const fn of this.failedListeners) fn();
  }

  recovered(): void {
    if (this.current === undefined) return;
    this.current = undefined;
    for (const fn of this.recoveredListeners) fn();
    for (const wake of [...this.waiting]) wake();
  }

  /**
   * For a loop that met an outage: resolves once the store works again, after `maxMs` at the
   * latest (so the loop looks again even if nobody probes), or when `signal` aborts.
   */
  waitForRecovery(maxMs: number, signal: AbortSignal): Promise<void> {
    if (this.current === undefined || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      signal.addEventListener("abort", done, { once: true });
      this.waiting.add(done);
    });
  }

  onFailed(fn: () => void): void {
    this.failedListeners.push(fn);
  }

  onRecovered(fn: () => void): void {
    this.recoveredListeners.push(fn);
  }
}
