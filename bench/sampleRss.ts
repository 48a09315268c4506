import { setTimeout as sleep } from "node:timers/promises";
import { rssMb } from "./Controlplanes.js";

/** RSS readings of a process, in MB (MiB), and when each was taken. */
export interface RssSamples {
  values: number[];
  /** ms from the start of the sampling, one per value. */
  times: number[];
  /** Ends the sampling; resolves with every reading. */
  stop: () => Promise<number[]>;
}

/**
 * Reads the process's RSS every `intervalMs` (on a fixed schedule from the first reading, now)
 * until stop(); a reading that fails (the process gone) is left out.
 */
export function sampleRss(pid: number | undefined, intervalMs = 100): RssSamples {
  const values: number[] = [];
  const times: number[] = [];
  const stopped = new AbortController();
  const start = performance.now();
  const loop = (async (): Promise<void> => {
    for (let n = 1; !stopped.signal.aborted; n++) {
      const at = performance.now() - start;
      const value = await rssMb(pid).catch(() => undefined);
      if (value !== undefined) {
        values.push(value);
        times.push(at);
      }
      await sleep(Math.max(0, start + n * intervalMs - performance.now()), undefined, {
        signal: stopped.signal,
      }).catch(() => undefined);
    }
  })();
  return {
    values,
    times,
    stop: async () => {
      stopped.abort();
      await loop;
      return values;
    },
  };
}
