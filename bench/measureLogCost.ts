import * as k8s from "@kubernetes/client-node";
import type { BenchContext } from "./BenchContext.js";
import { waitReady, type Controlplanes } from "./Controlplanes.js";
import { deleteAllJobs } from "./managedJobs.js";
import { measureBurst, type BurstResult } from "./measureBurst.js";
import { goal, ms, seconds } from "./stats.js";

/** The attempt log may cost the burst at most this much (issue 14). */
export const LOG_COST_GOAL = 0.2;

// Internal to the benchmark, not a flag: the controlplane writes no attempt log rows
// (cli/controlplaneConfig.ts).
const NO_ATTEMPT_LOG = { JOBHOOKS_BENCH_NO_ATTEMPT_LOG: "1" } as const;

export interface LogCostResult {
  withLog: BurstResult;
  withoutLog: BurstResult;
}

/**
 * What the attempt log costs a burst of 1,000 Jobs: the same burst on a controlplane that writes
 * it (the product) and on one that skips its insert, each fresh, warmed up with one burst first
 * (so neither is measured compiling its code), the Jobs deleted between them.
 */
export async function measureLogCost(
  ctx: BenchContext,
  cps: Controlplanes,
): Promise<LogCostResult> {
  const withoutLog = await measureOn(ctx, cps, "without the attempt log", NO_ATTEMPT_LOG);
  const withLog = await measureOn(ctx, cps, "with the attempt log", {});
  return { withLog, withoutLog };
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

/** The report's rows: the burst with and without the log, and what the log cost. */
export function logCostRows(
  r: LogCostResult | undefined,
  row: (label: string, text: string) => string,
): string[] {
  if (!r) return [row("attempt log cost", "not measured")];
  const { withLog: w, withoutLog: wo } = r;
  const burst = cost(w.deliveredMs, wo.deliveredMs);
  const complete = w.delivered === w.jobs && wo.delivered === wo.jobs;
  return [
    row(
      "attempt log cost",
      `burst ${seconds(w.deliveredMs)} with the log, ${seconds(wo.deliveredMs)} without: ` +
        pct(burst) +
        goal(`≤ +${LOG_COST_GOAL * 100} %`, complete && burst <= LOG_COST_GOAL) +
        (complete ? "" : " | INCOMPLETE"),
    ),
    row(
      "  controlplane",
      `last webhook after the last write ${ms(w.afterLastWriteMs)} vs ${ms(wo.afterLastWriteMs)} ` +
        `(${pct(cost(w.afterLastWriteMs, wo.afterLastWriteMs))}) | CPU ${w.cpuSeconds.toFixed(1)} s ` +
        `vs ${wo.cpuSeconds.toFixed(1)} s (${pct(cost(w.cpuSeconds, wo.cpuSeconds))})`,
    ),
  ];
}
