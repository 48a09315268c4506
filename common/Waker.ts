/**
 * A loop's sleep that other code can cut short: sleep() resolves after `ms`, when wake() is
 * called, or when the signal aborts, whichever comes first.
 */
export class Waker {
  private pending: (() => void) | undefined;
  private woken = false;

  /** Ends the current sleep, or the next one at once if none is under way. */
  wake(): void {
    if (this.pending) this.pending();
    else this.woken = true;
  }

  /** `ms` undefined: until woken or aborted. */
  sleep(ms: number | undefined, signal: AbortSignal): Promise<void> {
    if (this.woken || signal.aborted) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.pending = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.pending = done;
    });
  }
}
