import type { RequestListener } from "node:http";

const WEEKDAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1 January 1970: a Thursday
// Months from March: a leap day is then the last day of a year.
const MONTHS = ["Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb"];
const DAY_MS = 86_400_000;
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `ms` (since the epoch) as an HTTP date, RFC 9110's IMF-fixdate ("Sun, 06 Nov 1994 08:49:37
 * GMT"), worked out by arithmetic. Date's own methods (node:http's Date header among them) set up
 * V8's time-zone cache from ICU's data, 0.7 MiB of resident memory the sidecar needs for nothing
 * else.
 */
export function httpDate(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const seconds = Math.floor((ms - days * DAY_MS) / 1000);
  // Years of 400 (146,097 days) from 1 March 0000, then years from that March.
  const fromMarch0 = days + 719_468;
  const era = Math.floor(fromMarch0 / 146_097);
  const dayOfEra = fromMarch0 - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const month = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * month + 2) / 5) + 1;
  const year = era * 400 + yearOfEra + (month >= 10 ? 1 : 0);
  const weekday = WEEKDAYS[((days % 7) + 7) % 7];
  const time = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return `${weekday}, ${two(day)} ${MONTHS[month]} ${String(year).padStart(4, "0")} ${time} GMT`;
}

let cached = { second: Number.NaN, text: "" };

/** `handler` with each response's Date header from httpDate(), computed once a second. */
export function withHttpDate(handler: RequestListener): RequestListener {
  return (req, res) => {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== cached.second) cached = { second, text: httpDate(now) };
    res.sendDate = false;
    res.setHeader("date", cached.text);
    handler(req, res);
  };
}
