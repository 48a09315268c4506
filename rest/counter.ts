import type { CounterValue } from "../contract/model.js";
import { badRequest } from "./Problem.js";

const DURATION = /^(?:(\d{1,7})h)?(?:(\d{1,7})m)?(?:(\d{1,7})s)?$/;

/**
 * A lease's ttl from the query, in seconds: bare seconds ("900") or a duration of h, m and s
 * ("15m", "1h30m"). The range is the domain's to check (LIMITS.leaseTtlSeconds).
 */
export function ttlSeconds(value: string): number {
  if (/^\d{1,7}$/.test(value)) return Number(value);
  const m = DURATION.exec(value);
  if (value === "" || !m) {
    const rule = "must be seconds (900) or a duration such as 15m or 1h30m";
    throw badRequest(`ttl ${rule}`, [{ field: "ttl", message: rule }]);
  }
  const [h, min, s] = [m[1], m[2], m[3]].map((n) => Number(n ?? 0));
  return (h ?? 0) * 3600 + (min ?? 0) * 60 + (s ?? 0);
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
