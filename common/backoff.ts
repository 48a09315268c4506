/**
 * How long to wait between failed delivery attempts: the delay doubles from `baseMs` after each
 * failure and never exceeds `maxMs`; see {@link backoffDelay} for the jitter.
 */
export interface BackoffPolicy {
  /** Upper bound of the delay after the first failure, in ms. Default 1000. */
  baseMs: number;
  /** Upper bound of any delay, in ms. Default 300_000 (5 minutes). */
  maxMs: number;
}

/**
 * With base 1 s and max 5 min the waits after failures 1, 2, 3, … are about 0.5–1 s, 1–2 s,
 * 2–4 s, 4–8 s, …, 128–256 s (failure 9), then 150–300 s from failure 10 on. The first ten waits
 * add up to about 7 to 13.5 minutes; the trigger's timeout, not this policy, ends the retries.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 300_000 };

/**
 * The wait, in whole ms, before the attempt that follows `failedAttempts` failures (1 for the
 * wait after the first failure).
 *
 * With d = min(maxMs, baseMs * 2^(failedAttempts - 1)) the result lies in [d/2, d]: half of d is
 * fixed, half is random ("equal jitter"). The fixed half keeps a struggling receiver from being
 * retried at once; the random half spreads the retries of many deliveries that failed together
 * (one receiver down, one Job finishing many watchers) so they do not return in lockstep.
 * Example with base 100 ms, max 1 s: after about 50–100, 100–200, 200–400, 400–800, then
 * 500–1000 ms.
 *
 * `random` must return a number in [0, 1), like Math.random; tests pass a fixed one.
 * Throws a RangeError for a policy or count that cannot describe a wait (a caller's bug).
 */
export function backoffDelay(
  failedAttempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  if (!Number.isSafeInteger(failedAttempts) || failedAttempts < 1) {
    throw new RangeError(
      `backoffDelay: failedAttempts must be an integer >= 1, got ${failedAttempts}`,
    );
  }
  assertPolicy(policy);
  // 2^1023 is the largest finite power of two; past it the cap applies anyway.
  const exponent = Math.min(failedAttempts - 1, 1023);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}

/** Throws a RangeError unless 0 < baseMs <= maxMs, both finite. */
export function assertPolicy(policy: BackoffPolicy): void {
  const { baseMs, maxMs } = policy;
  if (!Number.isFinite(baseMs) || baseMs <= 0 || !Number.isFinite(maxMs) || maxMs < baseMs) {
    throw new RangeError(
      `backoffDelay: need 0 < baseMs <= maxMs, both finite; got baseMs ${baseMs}, maxMs ${maxMs}`,
    );
  }
}
