/** The p-th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a";
}

export function seconds(valueMs: number): string {
  return Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(2)} s` : "n/a";
}

export function mb(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} MB` : "n/a";
}

/** " (goal < 50 ms)", with MISSED when `ok` is false. */
export function goal(text: string, ok: boolean): string {
  return ok ? ` (goal ${text})` : ` (goal ${text}) MISSED`;
}
