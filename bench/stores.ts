/**
 * `npm run bench:stores`: the controlplane on SQLite, on PostgreSQL, and as three replicas on one
 * PostgreSQL, each measured in the same run on the same local cluster: a burst of 1,000 Jobs,
 * notification latency over a raw watch, and POST /job-done-watchers throughput. Prints figures
 * and the ratios the goals are written in; exits non-zero only if a webhook never arrived.
 */
import autocannon from "autocannon";
import * as k8s from "@kubernetes/client-node";
import { availableParallelism } from "node:os";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { createTestNamespace } from "../test/support/cluster.js";
import {
  freshStore,
  startControlplane,
  type ControlplaneProcess,
} from "../test/support/controlplane.js";
import { stopSharedPostgres } from "../test/support/postgres.js";
import { Receiver } from "../test/support/receiver.js";
import type { StoreEngine } from "../test/support/storeEngines.js";
import { KubeApi } from "../controlplane/kube/KubeApi.js";
import type { BenchContext } from "./BenchContext.js";
import { waitReady } from "./Controlplanes.js";
import { deleteAllJobs } from "./managedJobs.js";
import { measureBurst, type BurstResult } from "./measureBurst.js";
import { measureLatency, type LatencyResult } from "./measureLatency.js";
import { percentile } from "./stats.js";

interface Setup {
  name: string;
  engine: StoreEngine;
  replicas: number;
}

const SETUPS: Setup[] = [
  { name: "SQLite, 1 replica", engine: "sqlite", replicas: 1 },
  { name: "PostgreSQL, 1 replica", engine: "postgres", replicas: 1 },
  { name: "PostgreSQL, 3 replicas", engine: "postgres", replicas: 3 },
];
/** POSTs per setup, over CONNECTIONS connections spread over the replicas; at most 60 s. */
const POSTS = 3000;
const CONNECTIONS = 16;

interface Figures {
  burst: BurstResult;
  latency: LatencyResult;
  postRps: number;
  postErrors: number;
}

const began = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`[bench +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
};

async function measure(ctx: BenchContext, setup: Setup): Promise<Figures> {
  const store = await freshStore(setup.engine);
  const cps: ControlplaneProcess[] = [];
  try {
    for (let i = 0; i < setup.replicas; i++) {
      cps.push(
        await startControlplane(ctx.cluster, { role: "all", store, args: ["--log-level=info"] }),
      );
    }
    for (const cp of cps) await waitReady(cp);
    const first = cps[0] as ControlplaneProcess;
    progress(`${setup.name}: ready`);
    const latency = await measureLatency(ctx, first);
    const burst = await measureBurst(ctx, first);
    const post = await posts(cps);
    progress(`${setup.name}: burst ${burst.deliveredMs} ms, ${post.rps.toFixed(0)} POST/s`);
    return { latency, burst, postRps: post.rps, postErrors: post.errors };
  } finally {
    await Promise.all(cps.map((cp) => cp.stop()));
    await deleteBenchJobs(ctx);
  }
}

// POST /job-done-watchers at every replica at once, the connections shared out among them.
async function posts(cps: ControlplaneProcess[]): Promise<{ rps: number; errors: number }> {
  const first = cps[0] as ControlplaneProcess;
  const hook = await fetch(`${first.restUrl}/webhooks`, {
    method: "POST",
    body: JSON.stringify({ url: "http://127.0.0.1:59999/unused" }),
  });
  const webhookId = ((await hook.json()) as { id: string }).id;
  const body = JSON.stringify({ jobName: "bench-post", jobDoneTriggerWebhooks: [{ webhookId }] });
  const started = Date.now();
  const runs = await Promise.all(
    cps.map((cp) =>
      autocannon({
        url: `${cp.restUrl}/job-done-watchers`,
        method: "POST",
        connections: Math.max(1, Math.round(CONNECTIONS / cps.length)),
        amount: Math.round(POSTS / cps.length),
        duration: 60,
        headers: { "content-type": "application/json" },
        body,
      }),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const done = runs.reduce((n, r) => n + r["2xx"], 0);
  return { rps: done / seconds, errors: runs.reduce((n, r) => n + r.errors + r.non2xx, 0) };
}

async function deleteBenchJobs(ctx: BenchContext): Promise<void> {
  const core = ctx.cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const namespaces = (await core.listNamespace()).items
    .map((ns) => ns.metadata?.name ?? "")
    .filter((name) => name.startsWith("bench-"));
  await deleteAllJobs(ctx.batch, namespaces);
}

function report(results: Map<string, Figures>): string {
  const base = results.get(SETUPS[0]?.name ?? "");
  const one = results.get(SETUPS[1]?.name ?? "");
  const lines = [
    `jobhooks store benchmark (node ${process.version}, ${availableParallelism()} cores): burst of 1,000 Jobs, 200 Jobs 20 ms apart, ${POSTS} POSTs over ${CONNECTIONS} connections`,
  ];
  for (const [name, f] of results)
    lines.push(setupRow(name, f, base, name === SETUPS[2]?.name ? one : undefined));
  lines.push(
    "Goals: PostgreSQL with one replica within 1.5× of SQLite's burst; three replicas no slower than one; p99 overhead under 50 ms.",
  );
  return lines.join("\n");
}

function setupRow(
  name: string,
  f: Figures,
  base: Figures | undefined,
  one: Figures | undefined,
): string {
  const overhead = percentile(f.latency.webhook, 99) - percentile(f.latency.raw, 99);
  const vsSqlite = base
    ? ` (${(f.burst.deliveredMs / base.burst.deliveredMs).toFixed(2)}× SQLite)`
    : "";
  const vsOne = one
    ? `, ${(f.burst.deliveredMs / one.burst.deliveredMs).toFixed(2)}× one replica`
    : "";
  return (
    `${name.padEnd(24)} burst ${(f.burst.deliveredMs / 1000).toFixed(2)} s, ${f.burst.delivered}/${f.burst.jobs} delivered${vsSqlite}${vsOne}` +
    ` (status writes ${(f.burst.writesMs / 1000).toFixed(1)} s, then ${(f.burst.afterLastWriteMs / 1000).toFixed(1)} s; first replica's CPU ${f.burst.cpuSeconds.toFixed(1)} s)` +
    ` | p99 overhead ${overhead.toFixed(0)} ms | POST ${f.postRps.toFixed(0)} req/s${f.postErrors ? `, ${f.postErrors} errors` : ""}`
  );
}

async function main(): Promise<number> {
  const cluster = await TestCluster.start({ progress });
  const receiver = await Receiver.start();
  const api = new KubeApi(cluster.kubeConfig);
  const results = new Map<string, Figures>();
  let lost = false;
  try {
    const ctx: BenchContext = { cluster, batch: api.client(k8s.BatchV1Api), receiver, progress };
    await createTestNamespace(cluster, "bench-warmup");
    for (const setup of SETUPS) {
      const f = await measure(ctx, setup);
      results.set(setup.name, f);
      lost ||= f.burst.delivered < f.burst.jobs || f.latency.webhook.length < f.latency.jobs;
    }
  } finally {
    api.close();
    await receiver.stop();
    await stopSharedPostgres();
    await cluster.stop();
  }
  process.stdout.write(`${report(results)}\n`);
  return lost ? 1 : 0;
}

process.exitCode = await main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
});
