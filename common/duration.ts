export class DurationError extends Error {}

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Milliseconds from a duration flag: a number with a unit, or several (`500ms`, `30s`, `10m`,
 * `1h30m`). A bare `0` is zero.
 */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (text === "0") return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new DurationError(`invalid duration "${value}": expected e.g. 500ms, 30s, 10m, 1h30m`);
  }
  return Math.round(
    parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit as keyof typeof UNITS], 0),
  );
}
