/**
 * The wait between a failed list or watch and its next try, which news that the apiserver
 * answers again may cut short (see ListWatch.retrySoon). One wait at a time.
 */
export class BackoffWait {
  private shorten: ((earliest: number) => number | undefined) | undefined;

  /**
   * Waits until `until` (epoch ms), or less if cut(), or until `signal` aborts. Resolves "early"
   * when a cut() ended it, else "done".
   */
  wait(until: number, signal: AbortSignal): Promise<"early" | "done"> {
    return new Promise((resolve) => {
      let result: "early" | "done" = "done";
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.shorten = undefined;
        resolve(result);
      };
      let timer = setTimeout(done, Math.max(0, until - Date.now()));
      signal.addEventListener("abort", done, { once: true });
      this.shorten = (earliest) => {
        const at = Math.max(Date.now(), earliest);
        if (at >= until) return undefined;
        // Once per wait: a try that fails again waits its whole (longer) backoff unless cut anew.
        this.shorten = undefined;
        clearTimeout(timer);
        result = "early";
        timer = setTimeout(done, at - Date.now());
        return at;
      };
      if (signal.aborted) done();
    });
  }

  /**
   * Ends the wait under way at `earliest` or now, whichever is later, if that is before its
   * end. Returns when the wait now ends, or undefined when nothing was shortened.
   */
  cut(earliest: number): number | undefined {
    return this.shorten?.(earliest);
  }
}
