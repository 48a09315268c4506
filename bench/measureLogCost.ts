import * as k8s from "@kubernetes/client-node";
import type { BenchContext } from "./BenchContext.js";
import { waitReady, type Controlplanes } from "./Controlplanes.js";
import { deleteAllJobs } from "./managedJobs.js";
import { measureBurst, type BurstResult } from "./measureBurst.js";
import { measureLogStoreCost, type LogStoreCost } from "./measureLogStoreCost.js";
import { goal, ms, seconds } from "./stats.js";

/** The attempt log may cost the burst at most this much (issue 14). */
export const LOG_COST_GOAL = 0.2;

// Internal to the benchmark, not a flag: the controlplane writes no attempt log rows
// (cli/controlplaneConfig.ts).
const NO_ATTEMPT_LOG = { JOBHOOKS_BENCH_NO_ATTEMPT_LOG: "1" } as const;

export interface LogCostResult {
  withLog: BurstResult[];
  withoutLog: BurstResult[];
  store: LogStoreCost;
}

/**
 * What the attempt log costs a burst of 1,000 Jobs: the same burst on a controlplane that writes
 * it (the product) and on one that skips its insert, each fresh and warmed up with one burst
 * first (so neither is measured compiling its code), the Jobs deleted after each; in the order
 * without, with, with, without, since the cluster slows as a run goes on. And the store's own
 * share, measured apart from the cluster's noise.
 */
export async function measureLogCost(
  ctx: BenchContext,
  cps: Controlplanes,
): Promise<LogCostResult> {
  const store = await measureLogStoreCost();
  ctx.progress(
    `log cost: recordAttempt ${store.withLogUs.toFixed(0)} µs with the log row, ${store.withoutLogUs.toFixed(0)} µs without`,
  );
  const result: LogCostResult = { withLog: [], withoutLog: [], store };
  for (const log of [false, true, true, false]) {
    const name = log ? "with the attempt log" : "without the attempt log";
    const burst = await measureOn(ctx, cps, name, log ? {} : NO_ATTEMPT_LOG);
    (log ? result.withLog : result.withoutLog).push(burst);
  }
  return result;
}

async function measureOn(
  ctx: BenchContext,
  cps: Controlplanes,
  name: string,
  env: Record<string, string>,
): Promise<BurstResult> {
  const cp = await cps.start(undefined, env);
  try {
    await waitReady(cp);
    ctx.progress(`log cost: warm-up burst ${name}`);
    await measureBurst(ctx, cp);
    ctx.progress(`log cost: measured burst ${name}`);
    return await measureBurst(ctx, cp);
  } finally {
    await cps.stop(cp);
    await deleteBenchJobs(ctx);
  }
}

async function deleteBenchJobs(ctx: BenchContext): Promise<void> {
  const core = ctx.cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const namespaces = (await core.listNamespace()).items
    .map((ns) => ns.metadata?.name ?? "")
    .filter((name) => name.startsWith("bench-"));
  await deleteAllJobs(ctx.batch, namespaces);
}

/** How much longer `a` took than `b`, as a fraction (0.1: 10 % longer). */
function cost(a: number, b: number): number {
  return a / b - 1;
}

const pct = (f: number): string => `${f >= 0 ? "+" : ""}${(f * 100).toFixed(1)} %`;

const fastest = (bursts: readonly BurstResult[]): number =>
  Math.min(...bursts.map((b) => b.deliveredMs));

const mean = (bursts: readonly BurstResult[], f: (b: BurstResult) => number): number =>
  bursts.reduce((sum, b) => sum + f(b), 0) / bursts.length;

/** The report's rows: the burst with and without the log, and what the log cost. */
export function logCostRows(
  r: LogCostResult | undefined,
  row: (label: string, text: string) => string,
): string[] {
  if (!r) return [row("attempt log cost", "not measured")];
  const figure = (f: (b: BurstResult) => number): [number, number, string] => {
    const w = mean(r.withLog, f);
    const wo = mean(r.withoutLog, f);
    return [w, wo, pct(cost(w, wo))];
  };
  const [burstW, burstWo, burstPct] = figure((b) => b.deliveredMs);
  const [afterW, afterWo, afterPct] = figure((b) => b.afterLastWriteMs);
  const [cpuW, cpuWo, cpuPct] = figure((b) => b.cpuSeconds);
  const complete = [...r.withLog, ...r.withoutLog].every((b) => b.delivered === b.jobs);
  const { store } = r;
  return [
    row(
      "attempt log cost",
      `burst ${seconds(burstW)} with the log, ${seconds(burstWo)} without (mean of ` +
        `${r.withLog.length} each): ${burstPct}` +
        goal(`≤ +${LOG_COST_GOAL * 100} %`, complete && cost(burstW, burstWo) <= LOG_COST_GOAL) +
        (complete ? "" : " | INCOMPLETE"),
    ),
    row(
      "  controlplane",
      `last webhook after the last write ${ms(afterW)} vs ${ms(afterWo)} (${afterPct}) | ` +
        `CPU ${cpuW.toFixed(1)} s vs ${cpuWo.toFixed(1)} s (${cpuPct})`,
    ),
    row(
      "  store (SQLite file)",
      `recordAttempt of a 2xx ${store.withLogUs.toFixed(0)} µs with the log row, ` +
        `${store.withoutLogUs.toFixed(0)} µs without ` +
        `(${pct(cost(store.withLogUs, store.withoutLogUs))}, ${store.deliveries} deliveries)`,
    ),
    row(
      "  each burst",
      `with ${r.withLog.map((b) => seconds(b.deliveredMs)).join(", ")} | without ` +
        r.withoutLog.map((b) => seconds(b.deliveredMs)).join(", ") +
        // A busy machine only ever adds time: the fastest of each is the least disturbed.
        ` | fastest ${pct(cost(fastest(r.withLog), fastest(r.withoutLog)))}`,
    ),
  ];
}
