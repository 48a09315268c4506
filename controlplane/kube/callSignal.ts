/** One call's abort signal: its caller's, and its own timeout. */
export interface CallSignal {
  signal: AbortSignal;
  /** True once the timeout, not the caller, aborted it. */
  readonly timedOut: boolean;
  /** Stops the timer only: what follows (a watch's events) is bound by the caller alone. */
  answered(): void;
  /** Ends the call now (its caller has what it needed, or gave up on it). */
  cancel(): void;
  /** The call has ended: stops the timer and lets go of the caller's signal. */
  done(): void;
}

/**
 * A signal that aborts when `parent` does or after `timeoutMs`. Not AbortSignal.any: on Node 20
 * each any() over a long-lived signal (a part's run signal, passed to every call it makes) leaves
 * an entry on it that is never removed, so memory grows with the number of calls; done() here
 * takes its listener off again.
 */
export function callSignal(parent: AbortSignal | undefined, timeoutMs: number): CallSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  const onAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    answered: () => clearTimeout(timer),
    cancel: () => controller.abort(),
    done: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
