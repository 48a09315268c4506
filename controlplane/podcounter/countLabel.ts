export interface CountRules {
  /** Below zero is allowed; otherwise a decrement at zero leaves zero. */
  allowNegative: boolean;
  /** At zero the label goes away (a PodDisruptionBudget then stops selecting the pod). */
  removeOnZero: boolean;
}

export interface CountResult {
  /** The value after each delta, in order: what each caller is answered. */
  after: number[];
  /** The label's new value; null removes it; undefined leaves it as it was. */
  label: string | null | undefined;
}

/** The current count in a label value; anything but an integer counts as 0. */
export function parseCount(value: string | undefined): number {
  if (value === undefined || !/^-?\d{1,15}$/.test(value)) return 0;
  return Number(value);
}

/**
 * Applies deltas in order to the count a label holds, the way they would apply one by one:
 * with allowNegative off, each decrement at zero stays at zero, whatever follows it.
 */
export function countLabel(
  current: string | undefined,
  deltas: number[],
  rules: CountRules,
): CountResult {
  let value = parseCount(current);
  const after = deltas.map((d) => {
    value = rules.allowNegative ? value + d : Math.max(0, value + d);
    return value;
  });
  const wanted = value === 0 && rules.removeOnZero ? null : String(value);
  const unchanged = wanted === (current ?? null);
  return { after, label: unchanged ? undefined : wanted };
}
