import { setTimeout as sleep } from "node:timers/promises";
import { createTestNamespace } from "../test/support/cluster.js";
import type { ControlplaneProcess } from "../test/support/controlplane.js";
import type { BenchContext } from "./BenchContext.js";
import { createBoundWatchers } from "./createBoundWatchers.js";
import { completeJob, createManagedJobs, jobNames, type StatusWrite } from "./managedJobs.js";
import { windowFigures, scrape, type WindowFigures } from "./metrics.js";
import { RawWatch } from "./RawWatch.js";
import { awaitReceipts } from "./receipts.js";

export const LATENCY_JOBS = 200;
/**
 * Completed first the same way, and not measured: the figures are those of a controlplane that
 * has been running a while (its code compiled, its connections open), not of its first minute.
 */
export const WARMUP_JOBS = 50;
/** Between the starts of two status writes: latency, not throughput. */
const SPACING_MS = 20;

/** How many Jobs, and how far apart their status writes start. */
export interface LatencyShape {
  jobs: number;
  warmup: number;
  spacingMs: number;
  /** Runs from just before the warm-up to the end of the measured Jobs (e.g. a load beside). */
  beside?: { start(): void; stop(): Promise<void> };
}

const DEFAULT_SHAPE: LatencyShape = {
  jobs: LATENCY_JOBS,
  warmup: WARMUP_JOBS,
  spacingMs: SPACING_MS,
};

/** Latencies in ms, one per Job that got there, from two starting points. */
export interface LatencyResult {
  jobs: number;
  /** From the status write's response returning ("written"). */
  raw: number[];
  webhook: number[];
  /** From just before the status write was sent. */
  rawFromSent: number[];
  webhookFromSent: number[];
  /** How long the status writes themselves took. */
  writes: number[];
  controlplane: WindowFigures;
}

/**
 * 200 Jobs, each with a bound watcher, marked Complete one at a time 20 ms apart after 50 more
 * to warm up (or as `shape` says); each Job's latency to the webhook, and to a raw watch of the
 * namespace, from the status write.
 */
export async function measureLatency(
  ctx: BenchContext,
  cp: ControlplaneProcess,
  shape: LatencyShape = DEFAULT_SHAPE,
): Promise<LatencyResult> {
  const { warmup, spacingMs } = shape;
  const namespace = await createTestNamespace(ctx.cluster, "bench-latency");
  const names = jobNames("latency", warmup + shape.jobs);
  const path = `/${namespace}`;
  await createManagedJobs(ctx.batch, namespace, names);
  const webhook = await cp.webhooks.createWebhook({ url: ctx.receiver.url + path });
  await createBoundWatchers(cp, namespace, names, webhook.id);
  const raw = await RawWatch.start(ctx.cluster.kubeConfig, namespace);
  let besideRuns = false;
  try {
    await raw.sees(names);
    ctx.progress(
      `latency: ${names.length} Jobs with bound watchers; completing one every ${spacingMs} ms, the first ${warmup} to warm up`,
    );
    const complete = (some: string[]): Promise<StatusWrite[]> =>
      completeSpaced(ctx, namespace, some, spacingMs);
    shape.beside?.start();
    besideRuns = true;
    await complete(names.slice(0, warmup));
    await awaitReceipts(ctx.receiver, path, warmup, 30_000);
    const before = await scrape(cp);
    const writes = await complete(names.slice(warmup));
    const receipts = await awaitReceipts(ctx.receiver, path, names.length, 30_000);
    await raw.completed(names.length, 5_000);
    const after = await scrape(cp);
    besideRuns = false;
    await shape.beside?.stop();
    ctx.progress(
      `latency: ${receipts.size} webhooks, ${raw.completedAt.size} raw watch events received`,
    );
    const controlplane = windowFigures(before, after);
    return { ...latencies(writes, raw.completedAt, receipts), controlplane };
  } finally {
    raw.stop();
    if (besideRuns) await shape.beside?.stop();
  }
}

// Marks the Jobs Complete one at a time, spacingMs apart.
async function completeSpaced(
  ctx: BenchContext,
  namespace: string,
  names: string[],
  spacingMs: number,
): Promise<StatusWrite[]> {
  const writes: StatusWrite[] = [];
  const start = Date.now();
  for (const [i, name] of names.entries()) {
    await sleep(Math.max(0, start + i * spacingMs - Date.now()));
    writes.push(await completeJob(ctx.batch, namespace, name));
  }
  return writes;
}

function latencies(
  writes: readonly StatusWrite[],
  rawAt: ReadonlyMap<string, number>,
  webhookAt: ReadonlyMap<string, number>,
): Omit<LatencyResult, "controlplane"> {
  const since = (at: ReadonlyMap<string, number>, key: "sentAt" | "returnedAt"): number[] =>
    writes.flatMap((w) => {
      const t = at.get(w.name);
      return t === undefined ? [] : [t - w[key]];
    });
  return {
    jobs: writes.length,
    raw: since(rawAt, "returnedAt"),
    webhook: since(webhookAt, "returnedAt"),
    rawFromSent: since(rawAt, "sentAt"),
    webhookFromSent: since(webhookAt, "sentAt"),
    writes: writes.map((w) => w.returnedAt - w.sentAt),
  };
}
