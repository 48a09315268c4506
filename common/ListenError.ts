/** What the OS's codes for a failed bind mean, as libuv says them. */
const REASONS: Record<string, string> = {
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  EACCES: "permission denied",
  EAFNOSUPPORT: "address family not supported",
};

/** A server could not bind its address (a port another process holds, say). */
export class ListenError extends Error {
  /** Why, in a few words: "address already in use". */
  readonly reason: string;

  constructor(
    /** The part whose server it was (its Part name: "health", "grpc", ...). */
    readonly part: string,
    /** The address as given, HOST:PORT. */
    readonly address: string,
    cause: unknown,
  ) {
    const reason = reasonOf(cause);
    super(`cannot listen on ${address}: ${reason}`, { cause });
    this.reason = reason;
  }
}

function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // node:net sets `code`; grpc-js names the code only in its message.
  const code =
    typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
      ? err.code
      : /\bE[A-Z]{4,}\b/.exec(text)?.[0];
  return (code && REASONS[code]) ?? text;
}
