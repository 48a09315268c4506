/**
 * `npm run bench:stores`: the controlplane on SQLite, on PostgreSQL, and as three replicas on one
 * PostgreSQL, each measured in the same run on the same local cluster: a burst of 1,000 Jobs
 * (each setup run twice, each run warmed up with one burst, so that a setup is measured as it
 * runs for days, not as its processes compile their code; the median of the measured bursts),
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
import { sharedPostgres, stopSharedPostgres } from "../test/support/postgres.js";
import { Receiver } from "../test/support/receiver.js";
import type { StoreEngine } from "../test/support/storeEngines.js";
import { PooledKube } from "../test/support/pooledClient.js";
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

const SQLITE: Setup = { name: "SQLite, 1 replica", engine: "sqlite", replicas: 1 };
const PG_ONE: Setup = { name: "PostgreSQL, 1 replica", engine: "postgres", replicas: 1 };
const PG_THREE: Setup = { name: "PostgreSQL, 3 replicas", engine: "postgres", replicas: 3 };
const SETUPS = [SQLITE, PG_ONE, PG_THREE];
/**
 * Each setup runs twice, in the order A B C C B A: the cluster and the machine drift over a
 * run (etcd grows, caches warm), and this way no setup always comes after another.
 */
const RUNS = [...SETUPS, ...[...SETUPS].reverse()];
/**
 * POSTs for this long per setup, over CONNECTIONS connections shared out among the replicas.
 * For a time, not a count: a count split among replicas is done only when the busiest replica
 * (the leader, still labelling the last burst's Jobs) is, which measures the split.
 */
const POST_SECONDS = 5;
const CONNECTIONS = 16;
/** Measured bursts per run of a setup, after one to warm up; the median of all is reported. */
const BURSTS = 2;

interface Figures {
  /** Every measured burst, warm-ups aside. */
  bursts: BurstResult[];
  /** The warm-up bursts: each run's first. */
  cold: BurstResult[];
  /** Whether every burst, the warm-up's too, delivered every webhook. */
  allDelivered: boolean;
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
    const others = cps.slice(1);
    const cold = await measureBurst(ctx, first, others);
    const bursts: BurstResult[] = [];
    for (let i = 0; i < BURSTS; i++) bursts.push(await measureBurst(ctx, first, others));
    const post = await posts(cps);
    progress(
      `${setup.name}: bursts ${[cold, ...bursts].map((b) => b.deliveredMs).join(", ")} ms, ${post.rps.toFixed(0)} POST/s`,
    );
    const allDelivered = [cold, ...bursts].every((b) => b.delivered === b.jobs);
    return {
      latency,
      bursts,
      cold: [cold],
      allDelivered,
      postRps: post.rps,
      postErrors: post.errors,
    };
  } finally {
    await Promise.all(cps.map((cp) => cp.stop()));
    await deleteBenchJobs(ctx);
  }
}

/** The burst of median length (of an even count, the shorter of the two in the middle). */
function median(bursts: readonly BurstResult[]): BurstResult {
  const sorted = [...bursts].sort((a, b) => a.deliveredMs - b.deliveredMs);
  return sorted[Math.floor((sorted.length - 1) / 2)] as BurstResult;
}

/** Two runs of one setup as one: every burst and every latency sample; POST rates averaged. */
function merge(a: Figures, b: Figures): Figures {
  const lat = (k: "raw" | "webhook" | "rawFromSent" | "webhookFromSent" | "writes"): number[] => [
    ...a.latency[k],
    ...b.latency[k],
  ];
  return {
    bursts: [...a.bursts, ...b.bursts],
    cold: [...a.cold, ...b.cold],
    allDelivered: a.allDelivered && b.allDelivered,
    latency: {
      ...a.latency,
      jobs: a.latency.jobs + b.latency.jobs,
      raw: lat("raw"),
      webhook: lat("webhook"),
      rawFromSent: lat("rawFromSent"),
      webhookFromSent: lat("webhookFromSent"),
      writes: lat("writes"),
    },
    postRps: (a.postRps + b.postRps) / 2,
    postErrors: a.postErrors + b.postErrors,
  };
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
  // Timed to the last answer, not to when autocannon returns (on its once-a-second tick).
  let lastAnswer = started;
  const runs = await Promise.all(
    cps.map((cp, i) =>
      autocannon({
        url: `${cp.restUrl}/job-done-watchers`,
        method: "POST",
        // 16 over three replicas: 6, 5 and 5.
        connections: Math.floor(CONNECTIONS / cps.length) + (i < CONNECTIONS % cps.length ? 1 : 0),
        duration: POST_SECONDS,
        headers: { "content-type": "application/json" },
        body,
        setupClient: (client) => {
          client.on("response", () => {
            lastAnswer = Date.now();
          });
        },
      }),
    ),
  );
  const seconds = (lastAnswer - started) / 1000;
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
  const burst = (setup: Setup): BurstResult | undefined => {
    const f = results.get(setup.name);
    return f && median(f.bursts);
  };
  const lines = [
    `jobhooks store benchmark (node ${process.version}, ${availableParallelism()} cores): bursts of 1,000 Jobs (the median of ${BURSTS * 2}: two runs of each setup, in the order ${RUNS.map((s) => SETUPS.indexOf(s) + 1).join(" ")}, each warmed up with one burst first), 200 Jobs 20 ms apart, POSTs for ${POST_SECONDS} s over ${CONNECTIONS} connections`,
  ];
  for (const setup of SETUPS) {
    const f = results.get(setup.name);
    if (f)
      lines.push(setupRow(setup, f, burst(SQLITE), setup === PG_THREE ? burst(PG_ONE) : undefined));
  }
  lines.push(
    "Goals: PostgreSQL with one replica within 1.5× of SQLite's burst; three replicas no slower than one; p99 overhead under 50 ms.",
  );
  return lines.join("\n");
}

function setupRow(
  setup: Setup,
  f: Figures,
  base: BurstResult | undefined,
  one: BurstResult | undefined,
): string {
  const b = median(f.bursts);
  const overhead = percentile(f.latency.webhook, 99) - percentile(f.latency.raw, 99);
  const vsSqlite = base ? ` (${(b.deliveredMs / base.deliveredMs).toFixed(2)}× SQLite)` : "";
  const vsOne = one ? `, ${(b.deliveredMs / one.deliveredMs).toFixed(2)}× one replica` : "";
  const all = [...f.bursts]
    .sort((x, y) => x.deliveredMs - y.deliveredMs)
    .map((x) => (x.deliveredMs / 1000).toFixed(2))
    .join(", ");
  const cold = f.cold.map((x) => (x.deliveredMs / 1000).toFixed(2)).join(", ");
  return (
    `${setup.name.padEnd(24)} burst ${(b.deliveredMs / 1000).toFixed(2)} s${vsSqlite}${vsOne}` +
    ` (all ${all} s; first bursts ${cold} s; status writes ${(b.writesMs / 1000).toFixed(1)} s, then ${(b.afterLastWriteMs / 1000).toFixed(1)} s; controlplane CPU ${b.cpuSeconds.toFixed(1)} s)` +
    ` | p99 overhead ${overhead.toFixed(0)} ms | POST ${f.postRps.toFixed(0)} req/s${f.postErrors ? `, ${f.postErrors} errors` : ""}` +
    (f.allDelivered ? "" : " | WEBHOOKS LOST")
  );
}

async function main(): Promise<number> {
  const cluster = await TestCluster.start({ progress });
  const receiver = await Receiver.start();
  const api = new PooledKube(cluster.kubeConfig);
  const results = new Map<string, Figures>();
  let lost = false;
  try {
    const ctx: BenchContext = { cluster, batch: api.client(k8s.BatchV1Api), receiver, progress };
    await createTestNamespace(cluster, "bench-warmup");
    // Started before the first setup, not by the first PostgreSQL setup in the middle of its
    // run: a server that has just run initdb and started is slow for its first seconds.
    await sharedPostgres();
    for (const setup of RUNS) {
      const f = await measure(ctx, setup);
      const before = results.get(setup.name);
      results.set(setup.name, before ? merge(before, f) : f);
      lost ||= !f.allDelivered || f.latency.webhook.length < f.latency.jobs;
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
