import { setTimeout as sleep } from "node:timers/promises";
import { WatcherStatus } from "../proto/gen/jobhooks/v1/watchers.js";
import { createTestNamespace } from "../test/support/cluster.js";
import { storePathOf, type ControlplaneProcess } from "../test/support/controlplane.js";
import type { BenchContext } from "./BenchContext.js";
import { rssMb, waitReady, type Controlplanes } from "./Controlplanes.js";
import { createBoundWatchers, listAll } from "./createBoundWatchers.js";
import { createManagedJobs, jobNames } from "./managedJobs.js";
import { heapFigures, type HeapFigures } from "./metrics.js";
import { sampleRss } from "./sampleRss.js";

export const MEMORY_JOBS = 10_000;
export const MEMORY_WATCHERS = 1000;
/** After /readyz, before reading "after the list" RSS. */
export const SETTLE_MS = 2000;
/**
 * Then how long to watch RSS for its low: an idle process allocates little, so V8 collects the
 * list's garbage only when its memory reducer gets to it, some seconds later.
 */
export const IDLE_WINDOW_MS = 30_000;

export interface MemoryResult {
  /** Jobs in the controlplane's first list after its restart (from its "listed jobs" log). */
  listedJobs: number;
  pendingWatchers: number;
  /** From spawning the restarted controlplane to its /readyz answering 200. */
  readyMs: number;
  /** VmRSS SETTLE_MS after ready. */
  rssMb: number;
  heap: HeapFigures;
  /** Highest VmRSS seen from spawn to the end (sampled every 100 ms). */
  peakMb: number;
  /** Lowest VmRSS in the IDLE_WINDOW_MS after the rssMb reading, and the heap at its end. */
  settledMb: number;
  settledHeap: HeapFigures;
}

/**
 * 10,000 Jobs in the cluster and 1,000 pending watchers: the RSS of a controlplane restarted
 * onto them, so it lists every Job and loads every watcher from its store.
 */
export async function measureMemory(ctx: BenchContext, cps: Controlplanes): Promise<MemoryResult> {
  const namespace = await createTestNamespace(ctx.cluster, "bench-memory");
  const names = jobNames("memory", MEMORY_JOBS);
  await createManagedJobs(ctx.batch, namespace, names, (created) => {
    if (created % 2000 === 0) ctx.progress(`memory: ${created} of ${names.length} Jobs created`);
  });
  const first = await cps.start();
  await waitReady(first);
  const webhook = await first.webhooks.createWebhook({ url: `${ctx.receiver.url}/${namespace}` });
  await createBoundWatchers(first, namespace, names.slice(0, MEMORY_WATCHERS), webhook.id);
  const storePath = storePathOf(first);
  await cps.stop(first);
  ctx.progress(`memory: ${MEMORY_WATCHERS} watchers bound; restarting the controlplane`);
  return measureRestart(ctx, cps, storePath, namespace);
}

async function measureRestart(
  ctx: BenchContext,
  cps: Controlplanes,
  storePath: string,
  namespace: string,
): Promise<MemoryResult> {
  const spawned = Date.now();
  const cp = await cps.start(storePath);
  const samples = sampleRss(cp.child.pid);
  await waitReady(cp);
  const readyMs = Date.now() - spawned;
  await sleep(SETTLE_MS);
  const rss = await rssMb(cp.child.pid);
  const heap = await heapFigures(cp);
  ctx.progress(`memory: ${rss.toFixed(0)} MB RSS after the list; watching it for 30 s`);
  const windowStart = samples.values.length;
  await sleep(IDLE_WINDOW_MS);
  const settledHeap = await heapFigures(cp);
  const all = await samples.stop();
  const pending = (await listAll(cp, namespace)).filter((w) => w.status === WatcherStatus.PENDING);
  await cps.stop(cp);
  return {
    listedJobs: listedJobs(cp),
    pendingWatchers: pending.length,
    readyMs,
    rssMb: rss,
    heap,
    peakMb: Math.max(rss, ...all),
    settledMb: Math.min(...all.slice(windowStart)),
    settledHeap,
  };
}

function listedJobs(cp: ControlplaneProcess): number {
  const entry = cp.logs.find((l) => l.msg === "listed jobs");
  return typeof entry?.jobs === "number" ? entry.jobs : NaN;
}
