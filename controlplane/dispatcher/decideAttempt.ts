import { backoffDelay, type BackoffPolicy } from "../../common/backoff.js";
import { TriggerStatus, type Delivery } from "../watchers/model.js";
import type { AttemptLogEntry, AttemptRecord } from "../store/WatcherRepo.js";
import { attemptLogEntry } from "./attemptLog.js";
import type { AttemptResult } from "./sendAttempt.js";

/**
 * What an attempt's result means for its delivery: try again at `retryAt`, or finish it; `log`
 * is the attempt's row in the attempt log.
 */
export type AttemptStep = Decided & { log?: AttemptLogEntry };

type Decided =
  | { outcome: "retry"; retryAt: Date; record: AttemptRecord }
  | { outcome: "timeout" | "delivered" | "rejected"; record: AttemptRecord };

/**
 * The least time a retry leaves its attempt before the delivery's deadline: a try with less
 * could not get an answer, and would end as its own timeout instead of the receiver's answer.
 */
export const MIN_ATTEMPT_MS = 250;

/**
 * Decides, without side effects, what one finished attempt does to its delivery: a 2xx is
 * CALLED, a refusal FAILED; a retryable failure is tried again after the backoff (or the
 * receiver's Retry-After, whichever is later) unless that falls past the delivery's deadline,
 * which makes it TIMEOUT. `random` feeds the backoff's jitter.
 */
export function decideAttempt(
  d: Delivery,
  r: Exclude<AttemptResult, { kind: "aborted" }>,
  at: DecideAt,
): AttemptStep {
  const step = decide(d, r, at);
  return { ...step, log: attemptLogEntry(d, r, { ...step, calledAt: at.calledAt }) };
}

interface DecideAt {
  calledAt: Date;
  now: Date;
  backoff: BackoffPolicy;
  /** The backoff's jitter source; tests pass a fixed one. Default Math.random. */
  random?: () => number;
}

function decide(
  d: Delivery,
  r: Exclude<AttemptResult, { kind: "aborted" }>,
  at: DecideAt,
): Decided {
  const attempts = d.attempts + 1;
  const { calledAt, now, backoff, random } = at;
  if (r.kind === "delivered") {
    return {
      outcome: "delivered",
      record: { status: TriggerStatus.CALLED, attempts, lastError: "", calledAt },
    };
  }
  if (r.kind === "rejected") {
    return {
      outcome: "rejected",
      record: { status: TriggerStatus.FAILED, attempts, lastError: r.error, calledAt },
    };
  }
  const delay = Math.max(
    backoffDelay(attempts, backoff, random ?? Math.random),
    r.retryAfterMs ?? 0,
  );
  const retryAt = new Date(now.getTime() + delay);
  if (retryAt.getTime() + MIN_ATTEMPT_MS <= d.deadlineAt.getTime()) {
    return {
      outcome: "retry",
      retryAt,
      record: { status: TriggerStatus.NOT_CALLED, attempts, lastError: r.error, calledAt },
    };
  }
  return {
    outcome: "timeout",
    record: {
      status: TriggerStatus.TIMEOUT,
      attempts,
      lastError: `${r.error}; no 2xx before the delivery deadline`,
      calledAt,
    },
  };
}
