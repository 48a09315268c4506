export const StatusClass = {
  /** The receiver took the event: 2xx only. */
  Delivered: "delivered",
  /** The receiver may take it later: try again after a backoff or its Retry-After. */
  Retry: "retry",
  /** Asking again will not change the answer: stop and record why. */
  Rejected: "rejected",
} as const;
export type StatusClass = (typeof StatusClass)[keyof typeof StatusClass];

// 408 Request Timeout, 425 Too Early and 429 Too Many Requests describe the moment, not the
// request; every other 4xx says the request itself is wrong.
const TRANSIENT_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 425, 429]);

/**
 * What an HTTP status means for a webhook delivery. Redirects (3xx) are rejected rather than
 * followed: the signature covers the body, not the URL, so a redirect could carry a signed event
 * to a host nobody registered. Anything outside 100-599 (servers can send any three digits) is
 * rejected too.
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status <= 299) return StatusClass.Delivered;
  if (TRANSIENT_CLIENT_ERRORS.has(status)) return StatusClass.Retry;
  if (status >= 500 && status <= 599) return StatusClass.Retry;
  return StatusClass.Rejected;
}
