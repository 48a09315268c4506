/**
 * `npm run bench:parity -- OLD_MAIN`: the 1,000-Job burst of another build (OLD_MAIN is its
 * dist/cli/main.js, e.g. a worktree of e909668, the code before issue 11's redesign) beside this
 * one, both as `jobhooks all` on a SQLite file, in one run against one cluster. Rounds alternate
 * which build goes first (old, new; new, old; …), since the cluster slows as a run goes on and
 * the machine is noisy: compare the ratios of a round, not figures across runs. Each round starts
 * each build fresh, warms it with one burst and measures the next; the Jobs are deleted after
 * each build. JOBHOOKS_PARITY_ROUNDS (default 3) sets the rounds; JOBHOOKS_PARITY_LATENCY=1
 * measures single Jobs' webhook latency after each measured burst; JOBHOOKS_PARITY_ROLE=controlplane
 * runs `jobhooks controlplane` (the split layout's; its gateway is not on a burst's path)
 * instead of `all`; JOBHOOKS_PARITY_PROFILE=DIR
 * writes each controlplane's CPU profile there (which slows both).
 */
import * as k8s from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { resolve } from "node:path";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { Receiver } from "../test/support/receiver.js";
import type { ControlplaneProcess, ControlplaneRun } from "../test/support/controlplane.js";
import { PooledKube } from "../test/support/pooledClient.js";
import type { BenchContext } from "./BenchContext.js";
import { Controlplanes, newNodeArgs, otherBuild, waitReady } from "./Controlplanes.js";
import { deleteAllJobs } from "./managedJobs.js";
import { measureBurst, type BurstResult } from "./measureBurst.js";
import { measureLatency } from "./measureLatency.js";
import { increase, scrape } from "./metrics.js";
import { ms, percentile, seconds } from "./stats.js";

type Build = "old" | "new";

/**
 * A burst, the CPU its controlplane spent after it writing its Job Events, and then the p99 of
 * single Jobs' webhooks and of a raw watch (measureLatency), when asked for.
 */
type Measured = BurstResult & { trailingCpu: number; p99?: { webhook: number; raw: number } };

interface Round {
  old: Measured;
  new: Measured;
}

const SETTLE_MS = 60_000;

const began = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`[parity +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
};

async function burstOf(
  ctx: BenchContext,
  cps: Controlplanes,
  build: Build,
  oldMain: string,
): Promise<Measured> {
  const cp = await cps.start(undefined, {}, runOf(build, oldMain));
  try {
    await waitReady(cp);
    progress(`${build}: warm-up burst`);
    await measureBurst(ctx, cp);
    await settle(cp, build);
    progress(`${build}: measured burst`);
    const burst = await measureBurst(ctx, cp);
    const before = await scrape(cp);
    await settle(cp, build);
    const trailingCpu = increase(before, await scrape(cp), "process_cpu_seconds_total");
    if (process.env.JOBHOOKS_PARITY_LATENCY !== "1") return { ...burst, trailingCpu };
    const latency = await measureLatency(ctx, cp);
    const p99 = { webhook: percentile(latency.webhook, 99), raw: percentile(latency.raw, 99) };
    return { ...burst, trailingCpu, p99 };
  } finally {
    await cps.stop(cp);
    await deleteBenchJobs(ctx);
  }
}

// How each build runs: the old one from its own CLI, with the flags it knows; the new one with
// JOBHOOKS_PARITY_NEW_ARGS added (e.g. "--job-events=false", to see what they cost).
function runOf(build: Build, oldMain: string): Omit<ControlplaneRun, "storePath"> {
  const profileDir = process.env.JOBHOOKS_PARITY_PROFILE;
  const extra = build === "new" ? (process.env.JOBHOOKS_PARITY_NEW_ARGS ?? "") : "";
  return {
    role: process.env.JOBHOOKS_PARITY_ROLE === "controlplane" ? "controlplane" : "all",
    args: extra.split(" ").filter((a) => a !== ""),
    nodeArgs: [
      ...newNodeArgs(build),
      ...(profileDir !== undefined
        ? ["--cpu-prof", `--cpu-prof-dir=${resolve(profileDir, build)}`]
        : []),
    ],
    ...(build === "old" && otherBuild(oldMain)),
  };
}

/**
 * Waits until the controlplane has written the Job Events its deliveries owe (it writes them
 * after the deliveries, at most 50 a second), at most SETTLE_MS: a burst measured right after
 * another would pay for the one before. The old build writes none.
 */
async function settle(cp: ControlplaneProcess, build: Build): Promise<void> {
  if (build === "old") return;
  const owed = async (): Promise<number> => {
    const s = await scrape(cp);
    const events = ["sent", "failed", "dropped"].reduce(
      (sum, r) => sum + (s.get(`jobhooks_job_events_total{result="${r}"}`) ?? 0),
      0,
    );
    // Each attempt of a bound watcher's delivery tells one; an aborted one, none.
    const attempts = [...s.entries()]
      .filter(
        ([name]) => name.startsWith("jobhooks_deliveries_total{") && !name.includes("aborted"),
      )
      .reduce((sum, [, v]) => sum + v, 0);
    return attempts - events;
  };
  const deadline = Date.now() + SETTLE_MS;
  while ((await owed()) > 0 && Date.now() < deadline) await sleep(250);
}

async function deleteBenchJobs(ctx: BenchContext): Promise<void> {
  const core = ctx.cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const namespaces = (await core.listNamespace()).items
    .map((ns) => ns.metadata?.name ?? "")
    .filter((name) => name.startsWith("bench-"));
  await deleteAllJobs(ctx.batch, namespaces);
}

function describe(b: Measured): string {
  const lost = b.delivered < b.jobs ? ` LOST ${b.jobs - b.delivered}` : "";
  const retries = b.retries > 0 ? `, ${b.retries} retries` : "";
  const p99 = b.p99 ? `, p99 webhook ${ms(b.p99.webhook)} (raw watch ${ms(b.p99.raw)})` : "";
  return `${seconds(b.deliveredMs)} (after last write ${seconds(b.afterLastWriteMs)}), CPU ${b.cpuSeconds.toFixed(2)} s (then ${b.trailingCpu.toFixed(2)} s writing Events)${p99}${retries}${lost}`;
}

function report(rounds: readonly Round[]): string {
  const lines = rounds.map((r, i) => {
    const timeRatio = r.new.deliveredMs / r.old.deliveredMs;
    const cpuRatio = r.new.cpuSeconds / r.old.cpuSeconds;
    return (
      `round ${i + 1} (${i % 2 === 0 ? "old first" : "new first"}): old ${describe(r.old)} | ` +
      `new ${describe(r.new)} | new/old time ${timeRatio.toFixed(2)}, CPU ${cpuRatio.toFixed(2)}`
    );
  });
  const median = (f: (r: Round) => number): string => percentile(rounds.map(f), 50).toFixed(2);
  lines.push(
    `median new/old: burst time ${median((r) => r.new.deliveredMs / r.old.deliveredMs)}, ` +
      `after the last write ${median((r) => r.new.afterLastWriteMs / r.old.afterLastWriteMs)}, ` +
      `CPU ${median((r) => r.new.cpuSeconds / r.old.cpuSeconds)} (below 1: new is better)`,
  );
  return lines.join("\n");
}

async function run(ctx: BenchContext, cps: Controlplanes, oldMain: string): Promise<Round[]> {
  const count = Number(process.env.JOBHOOKS_PARITY_ROUNDS ?? "3");
  const rounds: Round[] = [];
  for (let i = 0; i < count; i++) {
    const order: Build[] = i % 2 === 0 ? ["old", "new"] : ["new", "old"];
    const round: Partial<Round> = {};
    for (const build of order) {
      round[build] = await burstOf(ctx, cps, build, oldMain);
      progress(`round ${i + 1} ${build}: ${describe(round[build])}`);
    }
    rounds.push(round as Round);
  }
  return rounds;
}

/** A webhook that never arrived is a failure, not a slow figure. */
function lost(rounds: readonly Round[]): boolean {
  return rounds.some((r) => r.old.delivered < r.old.jobs || r.new.delivered < r.new.jobs);
}

/** The old build's dist/cli/main.js, from the command line; undefined after printing usage. */
function oldMainArgument(): string | undefined {
  const arg = process.argv[2];
  if (arg !== undefined && existsSync(arg)) return resolve(arg);
  process.stderr.write("usage: npm run bench:parity -- OLD_BUILD/dist/cli/main.js\n");
  return undefined;
}

async function main(): Promise<number> {
  const oldMain = oldMainArgument();
  if (oldMain === undefined) return 2;
  let cluster: TestCluster | undefined;
  let receiver: Receiver | undefined;
  let cps: Controlplanes | undefined;
  let api: PooledKube | undefined;
  try {
    cluster = await TestCluster.start({ progress });
    receiver = await Receiver.start();
    cps = new Controlplanes(cluster, progress);
    // Pooled connections, so the benchmark's own writes are not paced by TLS handshakes.
    api = new PooledKube(cluster.kubeConfig);
    const ctx = { cluster, batch: api.client(k8s.BatchV1Api), receiver, progress };
    const rounds = await run(ctx, cps, oldMain);
    process.stdout.write(
      `burst of 1,000 Jobs, jobhooks ${process.env.JOBHOOKS_PARITY_ROLE ?? "all"}, SQLite: ${oldMain} (old) vs this build (new)\n`,
    );
    process.stdout.write(`${report(rounds)}\n`);
    return lost(rounds) ? 1 : 0;
  } catch (err) {
    process.stderr.write(`parity failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    return 1;
  } finally {
    api?.close();
    await cps?.stopAll();
    await receiver?.stop();
    await cluster?.stop();
  }
}

// A Ctrl-C ends through process.exit, whose hooks kill the cluster and controlplanes.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => process.exit(code));
}
process.exitCode = await main();
