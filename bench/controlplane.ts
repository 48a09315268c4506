/**
 * Benchmark of the controlplane against a real local cluster: delivery latency beside a raw
 * watch, a burst of 1,000 Jobs (and what the attempt log costs it), and memory with 10,000 Jobs.
 * Prints figures, asserts nothing; exits non-zero only if something broke. Run with `npm run
 * bench`.
 */
import * as k8s from "@kubernetes/client-node";
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { Receiver } from "../test/support/receiver.js";
import type { BenchContext } from "./BenchContext.js";
import { Controlplanes, rssMb, waitReady } from "./Controlplanes.js";
import { formatReport, type BenchResults } from "./formatReport.js";
import { PooledKube } from "../test/support/pooledClient.js";
import { deleteAllJobs } from "./managedJobs.js";
import { measureBurst } from "./measureBurst.js";
import { measureLatency } from "./measureLatency.js";
import { measureLogCost } from "./measureLogCost.js";
import { measureMemory, SETTLE_MS } from "./measureMemory.js";
import { heapFigures } from "./metrics.js";

const began = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`[bench +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
};

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

async function title(cluster: TestCluster): Promise<string> {
  const version = await cluster.kubeConfig.makeApiClient(k8s.VersionApi).getCode();
  return (
    `jobhooks controlplane benchmark (node ${process.version}, ${availableParallelism()} cores, ` +
    `kube-apiserver ${version.gitVersion})`
  );
}

async function main(): Promise<number> {
  const results: BenchResults = {};
  let cluster: TestCluster | undefined;
  let receiver: Receiver | undefined;
  let cps: Controlplanes | undefined;
  let closeApi: (() => void) | undefined;
  let failed = false;
  let heading = `jobhooks controlplane benchmark (node ${process.version})`;
  try {
    cluster = await TestCluster.start({ progress });
    heading = await title(cluster);
    receiver = await Receiver.start();
    cps = new Controlplanes(cluster, progress);
    // Pooled connections, so the benchmark's own writes are not paced by TLS handshakes.
    const api = new PooledKube(cluster.kubeConfig);
    const batch = api.client(k8s.BatchV1Api);
    closeApi = () => api.close();
    await run({ cluster, batch, receiver, progress }, cps, results);
  } catch (err) {
    failed = true;
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  } finally {
    closeApi?.();
    await cps?.stopAll();
    await receiver?.stop();
    await cluster?.stop();
  }
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

// A Ctrl-C ends through process.exit, whose hooks kill the cluster and controlplanes.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => process.exit(code));
}
process.exitCode = await main();
