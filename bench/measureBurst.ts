import { createTestNamespace } from "../test/support/cluster.js";
import type { ControlplaneProcess } from "../test/support/controlplane.js";
import type { BenchContext } from "./BenchContext.js";
import { createBoundWatchers } from "./createBoundWatchers.js";
import { completeJob, createManagedJobs, jobNames } from "./managedJobs.js";
import { mapConcurrent } from "./mapConcurrent.js";
import { windowFigures, increase, scrape, type WindowFigures } from "./metrics.js";
import { awaitReceipts } from "./receipts.js";

export const BURST_JOBS = 1000;
const WRITE_CONCURRENCY = 50;

export interface BurstResult {
  jobs: number;
  delivered: number;
  /** From sending the first status write to the last of them returning. */
  writesMs: number;
  /** From sending the first status write to the last Job's first webhook arriving. */
  deliveredMs: number;
  /** From the last status write returning to the last webhook arriving: controlplane time. */
  afterLastWriteMs: number;
  /** The controlplane's own view, from its /metrics over the burst: attempts by outcome. */
  delivered2xx: number;
  retries: number;
  controlplane: WindowFigures;
  /** CPU time over the burst: `cp`'s, and that of the other replicas given. */
  cpuSeconds: number;
}

/**
 * 1,000 Jobs, each with a bound watcher, all marked Complete together (50 writes in flight);
 * how long until the last webhook arrives.
 */
export async function measureBurst(
  ctx: BenchContext,
  cp: ControlplaneProcess,
  others: readonly ControlplaneProcess[] = [],
): Promise<BurstResult> {
  const namespace = await createTestNamespace(ctx.cluster, "bench-burst");
  const names = jobNames("burst", BURST_JOBS);
  const path = `/${namespace}`;
  await createManagedJobs(ctx.batch, namespace, names);
  ctx.progress(`burst: ${names.length} Jobs created`);
  const webhook = await cp.webhooks.createWebhook({ url: ctx.receiver.url + path });
  await createBoundWatchers(cp, namespace, names, webhook.id);
  ctx.progress(`burst: ${names.length} watchers bound; completing every Job at once`);

  const before = await scrape(cp);
  const othersBefore = await Promise.all(others.map((o) => scrape(o)));
  const writes = await mapConcurrent(names, WRITE_CONCURRENCY, (name) =>
    completeJob(ctx.batch, namespace, name),
  );
  const first = Math.min(...writes.map((w) => w.sentAt));
  const last = Math.max(...writes.map((w) => w.returnedAt));
  const writesMs = last - first;
  ctx.progress(`burst: ${writes.length} status writes took ${writesMs} ms`);
  const receipts = await awaitReceipts(ctx.receiver, path, names.length, 120_000);
  const after = await scrape(cp);
  const othersCpu = (await Promise.all(others.map((o) => scrape(o)))).reduce(
    (sum, a, i) => sum + increase(othersBefore[i] ?? a, a, "process_cpu_seconds_total"),
    0,
  );
  ctx.progress(`burst: ${receipts.size} of ${names.length} webhooks received`);

  return {
    jobs: names.length,
    delivered: receipts.size,
    writesMs,
    deliveredMs: Math.max(...receipts.values()) - first,
    afterLastWriteMs: Math.max(...receipts.values()) - last,
    delivered2xx: increase(before, after, 'jobhooks_deliveries_total{outcome="delivered"}'),
    retries: increase(before, after, 'jobhooks_deliveries_total{outcome="retry"}'),
    controlplane: windowFigures(before, after),
    cpuSeconds: increase(before, after, "process_cpu_seconds_total") + othersCpu,
  };
}
