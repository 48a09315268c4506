import { setTimeout as sleep } from "node:timers/promises";
import { rssMb } from "./Controlplanes.js";
import { loadInChild, type LoadFigures, type LoadOptions } from "./restLoad.js";
import { sampleRss } from "./sampleRss.js";

/** Issue 16's load: POST /job-done-watchers on 16 connections, for 60 s or so many requests. */
export const REST_LOAD = { connections: 16, seconds: 60, maxRequests: 200_000 } as const;
/** After the load, RSS is read once a second for this long. */
export const AFTER_SECONDS = 30;
/** After the load, RSS is to fall under this (MiB) within AFTER_SECONDS. */
export const AFTER_GOAL_MIB = 150;
/** From start (or spawn) to reading the idle RSS. */
export const IDLE_SETTLE_MS = 2000;

/** A process serving the REST API: its pid and http://127.0.0.1:PORT. */
export interface RestTarget {
  pid: number | undefined;
  url: string;
  /** The body to POST, made once the idle RSS is read (making it may take a request). */
  body: () => Promise<string>;
}

export interface RestMemory {
  idleMb: number;
  load: LoadFigures;
  /** Highest RSS during the load (read every 100 ms). */
  peakMb: number;
  /** RSS at the end of the AFTER_SECONDS. */
  endMb: number;
  /** Seconds from the end of the load to the first reading under AFTER_GOAL_MIB; NaN if none. */
  underGoalAfterS: number;
}

/**
 * The target's idle RSS (IDLE_SETTLE_MS after this is called), then REST_LOAD's POSTs of `body` from a process of their own, RSS read
 * every 100 ms during it and every second for AFTER_SECONDS after it.
 */
export async function measureRestMemory(
  target: RestTarget,
  progress: (line: string) => void,
): Promise<RestMemory> {
  await sleep(IDLE_SETTLE_MS);
  const idleMb = await rssMb(target.pid);
  const options: LoadOptions = {
    ...REST_LOAD,
    url: `${target.url}/job-done-watchers`,
    method: "POST",
    body: await target.body(),
  };
  progress(
    `memory: idle ${idleMb.toFixed(0)} MiB; POST load, ${REST_LOAD.connections} connections, ` +
      `${REST_LOAD.seconds} s or ${REST_LOAD.maxRequests} requests`,
  );
  const during = sampleRss(target.pid);
  const load = await loadInChild(options).figures.finally(() => during.stop());
  const after = sampleRss(target.pid, 1000);
  await sleep(AFTER_SECONDS * 1000 + 50);
  await after.stop();
  const under = after.values.findIndex((v) => v < AFTER_GOAL_MIB);
  const result: RestMemory = {
    idleMb,
    load,
    peakMb: Math.max(...during.values),
    endMb: after.values.at(-1) ?? NaN,
    underGoalAfterS: under < 0 ? NaN : (after.times[under] ?? NaN) / 1000,
  };
  progress(
    `memory: ${load.requests} requests in ${load.seconds} s; peak ${result.peakMb.toFixed(0)} MiB, ` +
      `${result.endMb.toFixed(0)} MiB ${AFTER_SECONDS} s later`,
  );
  return result;
}
