import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../test/cluster/ports.js";
import type { Controlplanes } from "./Controlplanes.js";
import { startBare } from "./restLoad.js";

/** Spawns of each kind; the median is judged. */
export const STARTS = 5;
/** How often the listeners are tried while it starts. */
const POLL_MS = 10;

export interface StartupResult {
  /** From spawning `jobhooks all` to its REST listener's first 200 to a list of watchers, in ms. */
  restMs: number[];
  /** From spawning it to its /readyz answering 200. */
  readyMs: number[];
  /** The yardstick: from spawning bareHttp.js to its "listening" line (its port). */
  bareMs: number[];
}

/**
 * `jobhooks all` started STARTS times, each on a new store (on the cluster as it is: empty, for
 * issue 16's figure), beside the bare node:http server started as many times.
 */
export async function measureStartup(
  cps: Controlplanes,
  progress: (line: string) => void,
): Promise<StartupResult> {
  const result: StartupResult = { restMs: [], readyMs: [], bareMs: [] };
  for (let i = 0; i < STARTS; i++) {
    const bare = await startBare();
    bare.stop();
    result.bareMs.push(bare.listeningMs);
    const { restMs, readyMs } = await startOnce(cps);
    result.restMs.push(restMs);
    result.readyMs.push(readyMs);
    progress(
      `start-up ${i + 1}: REST answer ${restMs.toFixed(0)} ms, ready ${readyMs.toFixed(0)} ms ` +
        `(bare listening ${bare.listeningMs.toFixed(0)} ms)`,
    );
  }
  return result;
}

/**
 * One start, on ports chosen beforehand so they can be tried from the spawn on. The controlplane
 * is spawned within the same tick as the clock starts: Controlplanes.start awaits nothing slower
 * before spawning once the controlplane's kubeconfig exists (an earlier start made it).
 */
async function startOnce(cps: Controlplanes): Promise<{ restMs: number; readyMs: number }> {
  const rest = await freePort();
  const health = await freePort();
  const polls = new AbortController();
  const signal = AbortSignal.any([polls.signal, AbortSignal.timeout(60_000)]);
  const spawned = performance.now();
  // A real answer: the list of watchers (a read of the store), not any status.
  const restAt = firstAnswer(
    `http://127.0.0.1:${rest}/job-done-watchers`,
    (s) => s === 200,
    signal,
  );
  const readyAt = firstAnswer(`http://127.0.0.1:${health}/readyz`, (s) => s === 200, signal);
  try {
    const cp = await cps.start(
      undefined,
      {},
      {
        role: "all",
        args: [`--listen=127.0.0.1:${rest}`, `--health-listen=127.0.0.1:${health}`],
      },
    );
    const [restMs, readyMs] = (await Promise.all([restAt, readyAt])).map((t) => t - spawned);
    await cps.stop(cp);
    return { restMs: restMs ?? NaN, readyMs: readyMs ?? NaN };
  } finally {
    polls.abort();
  }
}

/**
 * performance.now() when `url` first answered with a status `accept` takes, tried every POLL_MS
 * (a refused connection or another status tries again); NaN if `signal` ends it first.
 */
async function firstAnswer(
  url: string,
  accept: (status: number) => boolean,
  signal: AbortSignal,
): Promise<number> {
  while (!signal.aborted) {
    const answer = await fetch(url, { signal }).then(
      (res) => {
        const at = performance.now();
        void res.body?.cancel();
        return { status: res.status, at };
      },
      () => undefined,
    );
    if (answer !== undefined && accept(answer.status)) return answer.at;
    await sleep(POLL_MS);
  }
  return NaN;
}
