/**
 * Endpoint health: a webhook that fails without a single success for --disable-after is
 * disabled, and its owed deliveries wait (parked) until it is enabled again.
 */

/**
 * The next_attempt_at of a parked outbox row: the latest time a Date can hold, so the outbox's
 * due queries never hand it out and no index or query needs to know about parking.
 */
export const PARKED_MS = 8.64e15;

/** Whether an outbox row is parked (its webhook is disabled). */
export function isParked(nextAttemptAt: Date): boolean {
  return nextAttemptAt.getTime() >= PARKED_MS;
}

/** A webhook's health as its row keeps it. */
export interface Health {
  /** Its first failed attempt since its last success; undefined: its last attempt succeeded. */
  failingSince: Date | undefined;
  disabledAt: Date | undefined;
}

/** One recorded attempt, as health sees it. */
export interface HealthAttempt {
  /** 2xx. Anything else recorded (a retry, a refusal, a timeout) is a failure. */
  ok: boolean;
  /** When the attempt started. */
  calledAt: Date;
  /** When it is recorded. */
  at: Date;
}

/** What one attempt makes of a webhook's health, and whether it disables the webhook now. */
export interface HealthStep {
  failingSince: Date | undefined;
  /** True only for the attempt that tips it: the webhook is disabled at `at`. */
  disable: boolean;
}

/**
 * A success clears `failingSince`; a failure starts it (or keeps the earlier start). A failure
 * disables the webhook when it has been failing for at least `disableAfterMs` (0: never) and
 * is not disabled already. A success does not enable a disabled webhook: that is the API's.
 * The PostgreSQL store says the same in SQL (RECORD_ATTEMPT); the store contract tests hold
 * both engines to it.
 */
export function decideHealth(h: Health, a: HealthAttempt, disableAfterMs: number): HealthStep {
  if (a.ok) return { failingSince: undefined, disable: false };
  const failingSince = h.failingSince ?? a.calledAt;
  const disable =
    disableAfterMs > 0 &&
    h.disabledAt === undefined &&
    failingSince.getTime() <= a.at.getTime() - disableAfterMs;
  return { failingSince, disable };
}
