/** The HTTP status of an answer that says the server no longer has the version asked for. */
export const GONE = 410;

/** Why a list or watch stopped early; `gone` when the server no longer has its version. */
export interface WatchFailure {
  gone: boolean;
  reason: string;
}

/** How a failed watch request (client-node's Watch) ends the watch. */
export function watchFailure(err: unknown): WatchFailure {
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  return { gone: statusCode === GONE, reason: `watch failed: ${describeError(err)}` };
}

/** One line for a failed request: its HTTP status, when it has one, and its message. */
export function describeError(err: unknown): string {
  // Watch errors carry statusCode, client-node ApiExceptions code.
  const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
  const status = statusCode ?? code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof status === "number" ? `HTTP ${status}: ${message}` : message;
}
