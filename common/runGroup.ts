import { setMaxListeners } from "node:events";
import type { Logger } from "./logger.js";

/** A long-running part of a process: runs until `signal` aborts, then returns. */
export interface Part {
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * After a part has failed, how long the others may take to stop. A failure at start (a port
 * taken) should end the process at once; what is still stopping by then is left to the exit.
 */
export const STOP_AFTER_FAILURE_MS = 1000;

// Listeners on a group's stop signal before Node warns of a leak.
const MAX_STOP_LISTENERS = 100;

/**
 * Runs parts together: when one returns or fails, the others are aborted. runGroup resolves once
 * all have stopped. It rejects with the first failure, so the process exits non-zero, once all
 * have stopped or `stopAfterFailureMs` after that failure, whichever is first.
 */
export async function runGroup(
  parts: Part[],
  signal: AbortSignal,
  log: Logger,
  stopAfterFailureMs = STOP_AFTER_FAILURE_MS,
): Promise<void> {
  const group = new AbortController();
  // Every part, and every loop and call within one, listens for the stop: a process's dozen
  // parts pass Node's default warning threshold (10) without any leak.
  setMaxListeners(MAX_STOP_LISTENERS, group.signal);
  const stopAll = (): void => group.abort();
  if (signal.aborted) stopAll();
  signal.addEventListener("abort", stopAll, { once: true });
  const running = new Set(parts);
  let failure: { err: unknown } | undefined;
  let failed: () => void = () => {};
  const firstFailure = new Promise<void>((resolve) => (failed = resolve));
  const stopped = Promise.all(
    parts.map(async (part) => {
      try {
        await part.run(group.signal);
        if (!group.signal.aborted) log.warn({ part: part.name }, "part stopped; stopping the rest");
      } catch (err) {
        failure ??= { err };
        failed();
        log.error({ part: part.name, err }, "part failed; stopping the rest");
      } finally {
        running.delete(part);
        group.abort();
      }
    }),
  );
  await Promise.race([stopped, firstFailure.then(() => within(stopped, stopAfterFailureMs))]);
  signal.removeEventListener("abort", stopAll);
  if (failure === undefined) return;
  if (running.size > 0) {
    const names = [...running].map((part) => part.name);
    log.warn({ parts: names }, "parts still stopping; exiting without");
  }
  throw failure.err instanceof Error
    ? failure.err
    : new Error("a part failed", { cause: failure.err });
}

// Settles when `done` does or after `ms`, whichever is first, and leaves no timer behind.
async function within(done: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
