/**
 * How often a loop looks at a store that several replicas write (Store.shared) even when
 * nothing woke it: work another replica queued, or left behind when it died, is taken up within
 * this long.
 */
export const SHARED_POLL_MS = 1000;

/** `delay` (ms; undefined: until woken), no longer than SHARED_POLL_MS when the store is shared. */
export function pollCap(shared: boolean, delay: number | undefined): number | undefined {
  if (!shared) return delay;
  return delay === undefined ? SHARED_POLL_MS : Math.min(delay, SHARED_POLL_MS);
}
