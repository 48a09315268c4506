/**
 * `npm run bench:parity-memory -- OLD_MAIN`: the memory figures of `npm run bench` for another
 * build (OLD_MAIN is its dist/cli/main.js, e.g. a worktree of e909668) beside this one, in one
 * run against one cluster: idle RSS on an empty cluster, then RSS with 10,000 Jobs and 1,000
 * pending watchers (a controlplane restarted onto them lists every Job and loads every watcher),
 * and its low over the next 30 s. Builds alternate (old, new, new, old); compare within the run.
 */
import * as k8s from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PooledKube } from "../test/support/pooledClient.js";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { createTestNamespace } from "../test/support/cluster.js";
import { storePathOf, type ControlplaneRun } from "../test/support/controlplane.js";
import { Receiver } from "../test/support/receiver.js";
import type { BenchContext } from "./BenchContext.js";
import { Controlplanes, newNodeArgs, otherBuild, rssMb, waitReady } from "./Controlplanes.js";
import { createBoundWatchers } from "./createBoundWatchers.js";
import { createManagedJobs, jobNames } from "./managedJobs.js";
import { heapFigures } from "./metrics.js";
import { IDLE_WINDOW_MS, MEMORY_JOBS, MEMORY_WATCHERS, SETTLE_MS } from "./measureMemory.js";

type Build = "old" | "new";
const mb = (n: number): string => `${n.toFixed(0)} MiB`;
const ORDER: Build[] = ["old", "new", "new", "old"];

const began = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`[parity-memory +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
};

function runOf(build: Build, oldMain: string): Omit<ControlplaneRun, "storePath"> {
  return { role: "all", nodeArgs: newNodeArgs(build), ...(build === "old" && otherBuild(oldMain)) };
}

// RSS once settled after ready, and its low over the idle window (sampled every 250 ms).
async function rssAfterReady(
  cps: Controlplanes,
  run: Omit<ControlplaneRun, "storePath">,
  storePath?: string,
): Promise<{ rss: number; low: number; heap: string }> {
  const cp = await cps.start(storePath, {}, run);
  try {
    await waitReady(cp);
    await sleep(SETTLE_MS);
    const rss = await rssMb(cp.child.pid);
    const { heapUsedMb, heapTotalMb, externalMb } = await heapFigures(cp);
    const heap = `heap ${mb(heapUsedMb)} used of ${mb(heapTotalMb)}, external ${mb(externalMb)}`;
    let low = rss;
    for (let t = 0; t < IDLE_WINDOW_MS; t += 250) {
      await sleep(250);
      low = Math.min(low, await rssMb(cp.child.pid));
    }
    return { rss, low, heap };
  } finally {
    await cps.stop(cp);
  }
}

async function loaded(
  ctx: BenchContext,
  cps: Controlplanes,
  run: Omit<ControlplaneRun, "storePath">,
  jobs: { namespace: string; names: string[] },
): Promise<{ rss: number; low: number; heap: string }> {
  const first = await cps.start(undefined, {}, run);
  await waitReady(first);
  const webhook = await first.webhooks.createWebhook({
    url: `${ctx.receiver.url}/${jobs.namespace}`,
  });
  const bound = jobs.names.slice(0, MEMORY_WATCHERS);
  await createBoundWatchers(first, jobs.namespace, bound, webhook.id);
  const storePath = storePathOf(first);
  await cps.stop(first);
  return rssAfterReady(cps, run, storePath);
}

async function measure(ctx: BenchContext, cps: Controlplanes, oldMain: string): Promise<string[]> {
  const lines: string[] = [];
  for (const build of ORDER) {
    const idle = await rssAfterReady(cps, runOf(build, oldMain));
    lines.push(
      `${build}: idle, empty cluster: ${mb(idle.rss)} (low ${mb(idle.low)}; ${idle.heap})`,
    );
    progress(lines.at(-1) ?? "");
  }
  const namespace = await createTestNamespace(ctx.cluster, "bench-memory");
  const names = jobNames("memory", MEMORY_JOBS);
  await createManagedJobs(ctx.batch, namespace, names, (created) => {
    if (created % 2000 === 0) progress(`${created} of ${names.length} Jobs created`);
  });
  for (const build of ORDER) {
    const r = await loaded(ctx, cps, runOf(build, oldMain), { namespace, names });
    lines.push(
      `${build}: ${MEMORY_JOBS} Jobs, ${MEMORY_WATCHERS} watchers: ${mb(r.rss)} (low over 30 s ${mb(r.low)}; ${r.heap})`,
    );
    progress(lines.at(-1) ?? "");
  }
  return lines;
}

async function main(): Promise<number> {
  const arg = process.argv[2];
  if (arg === undefined || !existsSync(arg)) {
    process.stderr.write("usage: npm run bench:parity-memory -- OLD_BUILD/dist/cli/main.js\n");
    return 2;
  }
  const cluster = await TestCluster.start({ progress });
  const receiver = await Receiver.start();
  const cps = new Controlplanes(cluster, progress);
  const api = new PooledKube(cluster.kubeConfig);
  try {
    const ctx = { cluster, batch: api.client(k8s.BatchV1Api), receiver, progress };
    const lines = await measure(ctx, cps, resolve(arg));
    process.stdout.write(
      `memory, jobhooks all, SQLite: ${resolve(arg)} (old) vs this build (new)\n`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(
      `parity-memory failed: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    return 1;
  } finally {
    api.close();
    await cps.stopAll();
    await receiver.stop();
    await cluster.stop();
  }
}

process.exitCode = await main();
