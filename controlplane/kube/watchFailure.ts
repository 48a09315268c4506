/** The HTTP status of an answer that says the server no longer has the version asked for. */
export const GONE = 410;

/** Why a list or watch stopped early; `gone` when the server no longer has its version. */
export interface WatchFailure {
  gone: boolean;
  reason: string;
}

/** How a failed watch request (KubeApi.watch) ends the watch. */
export function watchFailure(err: unknown): WatchFailure {
  const code = (err as { code?: unknown } | null)?.code;
  return { gone: code === GONE, reason: `watch failed: ${describeError(err)}` };
}

/** One line for a failed request: its HTTP status, when it has one, and its message. */
export function describeError(err: unknown): string {
  // KubeApiErrors (and client-node's ApiExceptions) carry code, others may carry statusCode.
  const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
  const status = statusCode ?? code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof status === "number" ? `HTTP ${status}: ${message}` : message;
}
