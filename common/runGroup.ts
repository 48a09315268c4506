import type { Logger } from "./logger.js";

/** A long-running part of a process: runs until `signal` aborts, then returns. */
export interface Part {
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs parts together: when one returns or fails, the others are aborted, and runGroup settles
 * once all have stopped. It rejects with the first failure, so the process exits non-zero.
 */
export async function runGroup(parts: Part[], signal: AbortSignal, log: Logger): Promise<void> {
  const group = new AbortController();
  const stopAll = (): void => group.abort();
  signal.addEventListener("abort", stopAll, { once: true });
  let firstError: unknown;
  await Promise.all(
    parts.map(async (part) => {
      try {
        await part.run(group.signal);
        if (!group.signal.aborted) log.warn({ part: part.name }, "part stopped; stopping the rest");
      } catch (err) {
        firstError ??= err;
        log.error({ part: part.name, err }, "part failed; stopping the rest");
      } finally {
        group.abort();
      }
    }),
  );
  signal.removeEventListener("abort", stopAll);
  if (firstError !== undefined) {
    throw firstError instanceof Error
      ? firstError
      : new Error("a part failed", { cause: firstError });
  }
}
