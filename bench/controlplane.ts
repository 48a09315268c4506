/**
 * Benchmark of the controlplane against a real local cluster: delivery latency beside a raw
 * watch, a burst of 1,000 Jobs (and what the attempt log costs it), and memory with 10,000 Jobs.
 * Prints figures, asserts nothing; exits non-zero only if something broke. Run with `npm run
 * bench`.
 */
import * as k8s from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchContext } from "./BenchContext.js";
import { benchProgress, runWithCluster } from "./benchRun.js";
import { rssMb, waitReady, type Controlplanes } from "./Controlplanes.js";
import { formatReport, type BenchResults } from "./formatReport.js";
import { deleteAllJobs } from "./managedJobs.js";
import { measureBurst } from "./measureBurst.js";
import { measureLatency } from "./measureLatency.js";
import { measureLogCost } from "./measureLogCost.js";
import { measureMemory, SETTLE_MS } from "./measureMemory.js";
import { heapFigures } from "./metrics.js";

const progress = benchProgress();

async function run(ctx: BenchContext, cps: Controlplanes, results: BenchResults): Promise<void> {
  const cp = await cps.start();
  await waitReady(cp);
  await sleep(SETTLE_MS);
  results.idleMb = await rssMb(cp.child.pid);
  results.idleHeap = await heapFigures(cp);
  progress(`idle controlplane: ${results.idleMb.toFixed(0)} MB RSS`);

  results.latency = await measureLatency(ctx, cp);
  results.burst = await measureBurst(ctx, cp);
  await cps.stop(cp);
  results.logCost = await measureLogCost(ctx, cps);

  // The memory figure is for 10,000 Jobs, not 10,000 plus the ones above.
  const core = ctx.cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const namespaces = (await core.listNamespace()).items
    .map((ns) => ns.metadata?.name ?? "")
    .filter((name) => name.startsWith("bench-"));
  await deleteAllJobs(ctx.batch, namespaces);
  progress(`deleted the Jobs of ${namespaces.join(", ")}`);
  results.memory = await measureMemory(ctx, cps);
}

async function main(): Promise<number> {
  const results: BenchResults = {};
  const { heading, failed } = await runWithCluster("controlplane", progress, (ctx, cps) =>
    run(ctx, cps, results),
  );
  process.stdout.write(`${formatReport(heading, results)}\n`);
  progress("done");
  return failed || lostDeliveries(results) ? 1 : 0;
}

/** A webhook that never arrived is a failure, not a missed goal. */
function lostDeliveries({ latency, burst, logCost }: BenchResults): boolean {
  return (
    (latency !== undefined && latency.webhook.length < latency.jobs) ||
    (burst !== undefined && burst.delivered < burst.jobs) ||
    (logCost !== undefined &&
      [...logCost.withLog, ...logCost.withoutLog].some((b) => b.delivered < b.jobs))
  );
}

process.exitCode = await main();
