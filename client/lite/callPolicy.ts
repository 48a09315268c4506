import { setTimeout as sleep } from "node:timers/promises";
import { GrpcStatus } from "../../proto/codec/grpcStatus.js";
import { abortReason, isAbortError, LiteClientError } from "./errors.js";

/** A call's retries, as nice-grpc-client-middleware-retry's options. */
export interface RetryPolicy {
  /** Whether to retry at all; the middleware's default: the method is idempotent. */
  retry: boolean;
  /** Retries after the first attempt. */
  retryMaxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  signal?: AbortSignal | undefined;
}

// The middleware's defaults: CANCELLED too, as a server shutting down may answer it (the
// caller's own cancellation is an AbortError, never retried).
const RETRYABLE: readonly number[] = [
  GrpcStatus.UNKNOWN,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.CANCELLED,
];

/** Whether a method's idempotency_level lets it be retried by default. */
export function isIdempotent(idempotencyLevel: string | undefined): boolean {
  return idempotencyLevel === "IDEMPOTENT" || idempotencyLevel === "NO_SIDE_EFFECTS";
}

/** The backoff before retry `n` (0-based): exponential, capped, half of it jittered. */
export function retryDelayMs(p: RetryPolicy, n: number, random = Math.random()): number {
  const backoff = Math.min(p.retryMaxDelayMs, 2 ** n * p.retryBaseDelayMs);
  return Math.round((backoff * (1 + random)) / 2);
}

function isRetryable(err: unknown): boolean {
  return err instanceof LiteClientError && RETRYABLE.includes(err.code);
}

/** `attempt` until it succeeds, fails for good, or the retries are spent. */
export async function withRetries<T>(p: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (isAbortError(err) || !p.retry || n >= p.retryMaxAttempts || !isRetryable(err)) throw err;
      await sleep(retryDelayMs(p, n), undefined, { signal: p.signal }).catch(() => {
        throw abortReason(p.signal);
      });
    }
  }
}

/**
 * `run` with its own signal that aborts when `signal` does or after `deadlineMs`; a deadline
 * passed is DEADLINE_EXCEEDED, as nice-grpc-client-middleware-deadline throws it.
 */
export async function withDeadline<T>(
  path: string,
  deadlineMs: number,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const deadline = { passed: false };
  const timer = setTimeout(() => {
    deadline.passed = true;
    controller.abort();
  }, deadlineMs);
  const exceeded = (): LiteClientError =>
    new LiteClientError(path, GrpcStatus.DEADLINE_EXCEEDED, "Deadline exceeded");
  try {
    const result = await run(controller.signal);
    if (deadline.passed) throw exceeded();
    return result;
  } catch (err) {
    throw deadline.passed ? exceeded() : err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    clearTimeout(timer);
  }
}
