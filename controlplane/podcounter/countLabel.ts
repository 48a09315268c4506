export interface CountRules {
  /** Below zero is allowed; otherwise a decrement at zero leaves zero. */
  allowNegative: boolean;
  /** At zero the label goes away (a PodDisruptionBudget then stops selecting the pod). */
  removeOnZero: boolean;
}

/**
 * What a pod carries under the counter's key: the label (what a PodDisruptionBudget selects, so
 * never below zero: a label value cannot start with "-") and the annotation of the same name
 * (the exact count, negative ones too).
 */
export interface StoredCount {
  label: string | undefined;
  annotation: string | undefined;
}

export interface CountResult {
  /** The value after each delta, in order: what each caller is answered. */
  after: number[];
  /** The new label and annotation (null removes one); undefined: leave the pod as it is. */
  write: { label: string | null; annotation: string | null } | undefined;
}

const INTEGER = /^-?\d{1,15}$/;

/** The current count in a label value; anything but an integer counts as 0. */
export function parseCount(value: string | undefined): number {
  if (value === undefined || !INTEGER.test(value)) return 0;
  return Number(value);
}

/**
 * The count a pod carries: the annotation's, while the label still shows it; a label changed
 * since (by hand, or by pod-webhook-tracker, which knew no annotation) wins. Without
 * allowNegative a count left below zero reads as 0.
 */
export function readCount(stored: StoredCount, rules: CountRules): number {
  const { label, annotation } = stored;
  let count = parseCount(label);
  if (annotation !== undefined && INTEGER.test(annotation)) {
    const exact = Number(annotation);
    const shown = exact > 0 ? label === String(exact) : label === undefined || label === "0";
    if (shown) count = exact;
  }
  return rules.allowNegative ? count : Math.max(0, count);
}

/**
 * Where a count is kept. Above zero the label and the annotation hold it. At zero both are
 * removed, or both say "0" without removeOnZero. Below zero the annotation holds it and the
 * label is as at zero: a pod that was told of more ends than starts is not busy.
 */
export function storedCount(
  value: number,
  rules: CountRules,
): { label: string | null; annotation: string | null } {
  const atZero = rules.removeOnZero ? null : "0";
  if (value === 0) return { label: atZero, annotation: atZero };
  return { label: value > 0 ? String(value) : atZero, annotation: String(value) };
}

/**
 * Applies deltas in order to the count a pod carries, the way they would apply one by one:
 * with allowNegative off, each decrement at zero stays at zero, whatever follows it. Reads
 * (every delta 0) never write.
 */
export function countLabel(stored: StoredCount, deltas: number[], rules: CountRules): CountResult {
  let value = readCount(stored, rules);
  const after = deltas.map((d) => {
    value = rules.allowNegative ? value + d : Math.max(0, value + d);
    return value;
  });
  const wanted = storedCount(value, rules);
  const unchanged =
    deltas.every((d) => d === 0) ||
    (wanted.label === (stored.label ?? null) && wanted.annotation === (stored.annotation ?? null));
  return { after, write: unchanged ? undefined : wanted };
}
