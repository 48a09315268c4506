/** Longest wait a receiver can ask for; past it the trigger's own timeout is the better judge. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The wait a `Retry-After` header asks for, in ms, or undefined when there is none to honour.
 *
 * RFC 9110 §10.2.3 allows delay-seconds (`120`) or an HTTP-date, and recipients must accept all
 * three date forms of §5.6.7 (IMF-fixdate, RFC 850, asctime). A date is measured from `now`.
 * Garbage, negative numbers and dates already past give undefined: a past date usually means the
 * clocks disagree, and our own backoff is a safer guess than retrying at once. Waits above one
 * hour are capped at one hour, e.g. `Retry-After: 86400` gives 3_600_000.
 */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  const delayMs = /^\d+$/.test(text)
    ? Number(text) * 1000
    : (httpDateMs(text, now) ?? Number.NaN) - now.getTime();
  if (Number.isNaN(delayMs) || delayMs < 0) return undefined;
  return Math.min(delayMs, MAX_RETRY_AFTER_MS);
}

interface DateFields {
  year: number;
  month: number; // 0-11, as Date.UTC takes it
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const DAY_NAME = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY_NAME = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${DAY_NAME}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE = new RegExp(`^${LONG_DAY_NAME}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
// Sun Nov  6 08:49:37 1994 (UTC, though it does not say so)
const ASCTIME_DATE = new RegExp(`^${DAY_NAME} ${MONTH} (\\d{2}| \\d) ${TIME} (\\d{4})$`);

/** Milliseconds since the epoch of an HTTP-date, or undefined when `text` is not one. */
function httpDateMs(text: string, now: Date): number | undefined {
  const fields = imfFixdate(text) ?? rfc850Date(text, now) ?? asctimeDate(text);
  return fields && toEpochMs(fields);
}

function imfFixdate(text: string): DateFields | undefined {
  const m = IMF_FIXDATE.exec(text);
  if (!m) return undefined;
  const [, day, month, year, hour, minute, second] = m;
  return fields([year, month, day, hour, minute, second]);
}

function rfc850Date(text: string, now: Date): DateFields | undefined {
  const m = RFC850_DATE.exec(text);
  if (!m) return undefined;
  const [, day, month, yy, hour, minute, second] = m;
  const parsed = fields(["0", month, day, hour, minute, second]);
  return parsed && { ...parsed, year: fullYear(Number(yy), now.getUTCFullYear()) };
}

function asctimeDate(text: string): DateFields | undefined {
  const m = ASCTIME_DATE.exec(text);
  if (!m) return undefined;
  const [, month, day, hour, minute, second, year] = m;
  return fields([year, month, day?.trim(), hour, minute, second]);
}

/**
 * RFC 9110: a two-digit year that looks more than 50 years ahead means the most recent past year
 * with those digits (in 2025, "94" is 1994 and "30" is 2030).
 */
function fullYear(yy: number, currentYear: number): number {
  const candidate = currentYear - (currentYear % 100) + yy;
  return candidate > currentYear + 50 ? candidate - 100 : candidate;
}

type Captures = [string?, string?, string?, string?, string?, string?];

function fields([year, month, day, hour, minute, second]: Captures): DateFields | undefined {
  const monthIndex = MONTHS.indexOf(month ?? "");
  if (monthIndex < 0) return undefined;
  return {
    year: Number(year),
    month: monthIndex,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  };
}

/** Rejects dates the calendar does not have (31 Feb, 25:00) instead of letting Date roll them. */
function toEpochMs(f: DateFields): number | undefined {
  // 60 is a leap second; count it as the next second, which Date cannot name directly.
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return undefined;
  const ms = Date.UTC(f.year, f.month, f.day, f.hour, f.minute, Math.min(f.second, 59));
  const back = new Date(ms);
  if (back.getUTCMonth() !== f.month || back.getUTCDate() !== f.day) return undefined;
  return ms + (f.second === 60 ? 1000 : 0);
}
