export interface HintRules {
  /** While busy, cluster-autoscaler's safe-to-evict "false" and Karpenter's do-not-disrupt "true". */
  autoscalerHints: boolean;
  /** While busy, the ReplicaSet pod-deletion-cost is the count (idle pods go first at scale-in). */
  podDeletionCost: boolean;
}

export const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
export const DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt";
export const DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
/** The pod's own values of the hints we set (null: it had none), kept while the pod is busy. */
export const SAVED_HINTS = "jobhooks.dev/saved-hints";

const HINT_KEYS = [SAFE_TO_EVICT, DO_NOT_DISRUPT, DELETION_COST] as const;
const MAX_COST = 2_147_483_647; // the annotation is an int32

/** Annotation changes to go in the count's patch; null removes one. */
export type HintWrites = Record<string, string | null>;
type Saved = Record<string, string | null>;

/** The value we give a hint at `count`. */
function hintValue(key: string, count: number): string {
  if (key === SAFE_TO_EVICT) return "false";
  if (key === DO_NOT_DISRUPT) return "true";
  return String(Math.min(Math.max(count, 0), MAX_COST));
}

function wantedKeys(rules: HintRules): string[] {
  return [
    ...(rules.autoscalerHints ? [SAFE_TO_EVICT, DO_NOT_DISRUPT] : []),
    ...(rules.podDeletionCost ? [DELETION_COST] : []),
  ];
}

/**
 * The saved values, or undefined when none are kept. One that is not what we write (edited by
 * hand) reads as "the pod had none of the hints": at zero they are removed, never left set.
 */
export function readSaved(value: string | undefined): Saved | undefined {
  if (value === undefined) return undefined;
  const none: Saved = Object.fromEntries(HINT_KEYS.map((k) => [k, null]));
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return none;
    const entries = Object.entries(parsed as Record<string, unknown>);
    const valid = entries.every(
      ([k, v]) =>
        (HINT_KEYS as readonly string[]).includes(k) && (v === null || typeof v === "string"),
    );
    return valid ? (parsed as Saved) : none;
  } catch {
    return none;
  }
}

/**
 * The hint annotations to write beside a count going from `before` to `after`.
 *
 * When a busy period starts (no saved values on the pod, `after` above zero), each wanted hint's
 * current value (null: absent) is saved under SAVED_HINTS and the hint is set. While busy the
 * saved hints are kept at our value (the deletion cost follows the count). At zero (or below)
 * each saved hint gets its own value back and SAVED_HINTS goes. A hint that no longer holds the
 * value we last wrote was changed by the pod's owner since: theirs is newer than both ours and
 * the saved one, so it is left alone (and no longer saved) for the rest of the busy period. A
 * hint no longer wanted (its flag turned off) is restored at once; one newly wanted is set from
 * the next busy period on.
 */
export function hintWrites(
  annotations: Record<string, string>,
  counts: { before: number; after: number },
  rules: HintRules,
): HintWrites {
  const saved = readSaved(annotations[SAVED_HINTS]);
  const busy = counts.after > 0;
  const wanted = busy ? wantedKeys(rules) : [];
  if (saved === undefined) return busy ? startBusy(annotations, wanted, counts.after) : {};
  const { writes, keep } = keepOrRestore(annotations, saved, counts, wanted);
  // While busy the saved record stays (even empty): it marks the period as started.
  const record = busy ? JSON.stringify(keep) : null;
  if (record !== (annotations[SAVED_HINTS] ?? null)) writes[SAVED_HINTS] = record;
  return writes;
}

// Each saved hint still at our value: kept (and at the count's value) if wanted, else restored.
function keepOrRestore(
  annotations: Record<string, string>,
  saved: Saved,
  counts: { before: number; after: number },
  wanted: string[],
): { writes: HintWrites; keep: Saved } {
  const writes: HintWrites = {};
  const keep: Saved = {};
  for (const [key, own] of Object.entries(saved)) {
    const current = annotations[key];
    if (current !== hintValue(key, counts.before)) continue; // the owner's now
    if (wanted.includes(key)) keep[key] = own;
    const value = wanted.includes(key) ? hintValue(key, counts.after) : own;
    if (current !== value) writes[key] = value;
  }
  return { writes, keep };
}

function startBusy(
  annotations: Record<string, string>,
  wanted: string[],
  count: number,
): HintWrites {
  if (wanted.length === 0) return {};
  const writes: HintWrites = {};
  const saved: Saved = {};
  for (const key of wanted) {
    saved[key] = annotations[key] ?? null;
    const value = hintValue(key, count);
    if (annotations[key] !== value) writes[key] = value;
  }
  writes[SAVED_HINTS] = JSON.stringify(saved);
  return writes;
}
