import { LIMITS } from "../contract/limits.js";
import type { CounterValue } from "../contract/model.js";
import { badRequest } from "./Problem.js";

const DURATION = /^(?:(\d{1,7})h)?(?:(\d{1,7})m)?(?:(\d{1,7})s)?$/;
const { min, max } = LIMITS.leaseTtlSeconds;
const RULE = `must be seconds (900) or a duration such as 15m or 1h30m, from ${min} s to 7 days`;

/**
 * A lease's ttl from the query, in seconds: bare seconds ("900") or a duration of h, m and s
 * ("15m", "1h30m"), within LIMITS.leaseTtlSeconds (checked here too: a value past it would not
 * even fit the gRPC field).
 */
export function ttlSeconds(value: string): number {
  const seconds = parseTtl(value);
  if (seconds === undefined || seconds < min || seconds > max) {
    throw badRequest(`ttl ${RULE}`, [{ field: "ttl", message: RULE }]);
  }
  return seconds;
}

function parseTtl(value: string): number | undefined {
  if (/^\d{1,7}$/.test(value)) return Number(value);
  const m = value === "" ? null : DURATION.exec(value);
  if (!m) return undefined;
  const [h = 0, mins = 0, s = 0] = [m[1], m[2], m[3]].map((n) => Number(n ?? 0));
  return h * 3600 + mins * 60 + s;
}

/** A count as JSON: the value, and a lease's id and end, or the leases a force release ended. */
export function counterValueJson(v: CounterValue): {
  value: number;
  leaseId?: string;
  expiresAt?: string;
  released?: number;
} {
  return {
    value: v.value,
    ...(v.lease && { leaseId: v.lease.id, expiresAt: v.lease.expiresAt }),
    ...(v.released !== undefined && { released: v.released }),
  };
}
