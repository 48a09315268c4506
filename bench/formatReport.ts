import type { BurstResult } from "./measureBurst.js";
import type { LatencyResult } from "./measureLatency.js";
import { logCostRows, type LogCostResult } from "./measureLogCost.js";
import { IDLE_WINDOW_MS, SETTLE_MS, type MemoryResult } from "./measureMemory.js";
import type { WindowFigures, HeapFigures } from "./metrics.js";
import { goal, mb, ms, percentile, seconds } from "./stats.js";

export const GOALS = { p99OverheadMs: 50, burstMs: 10_000, rssMb: 250 } as const;

/** What a run measured; a part that failed or did not run is missing. */
export interface BenchResults {
  idleMb?: number;
  idleHeap?: HeapFigures;
  latency?: LatencyResult;
  burst?: BurstResult;
  logCost?: LogCostResult;
  memory?: MemoryResult;
}

const LABEL_WIDTH = 26;

function row(label: string, text: string): string {
  return `${label.padEnd(LABEL_WIDTH)}${text}`;
}

/** The table printed at the end of a run. */
export function formatReport(title: string, r: BenchResults): string {
  return [
    title,
    ...latencyRows(r.latency),
    ...burstRows(r.burst),
    ...logCostRows(r.logCost, row),
    ...memoryRows(r.idleMb, r.memory),
    ...heapRows(r.idleHeap, r.memory),
  ].join("\n");
}

function p50p99(values: readonly number[]): string {
  return `p50 ${ms(percentile(values, 50))} p99 ${ms(percentile(values, 99))}`;
}

function windowText(d: WindowFigures): string {
  return (
    `mean outbox row → 2xx ${ms(d.meanOutboxMs)} | mean attempt ${ms(d.meanAttemptMs)} | ` +
    `event-loop delay p99 ${ms(d.loopLagP99Ms)} max ${ms(d.loopLagMaxMs)}`
  );
}

function latencyRows(l: LatencyResult | undefined): string[] {
  if (!l) return [row("latency", "not measured")];
  const overhead = percentile(l.webhook, 99) - percentile(l.raw, 99);
  const missing =
    l.webhook.length < l.jobs || l.raw.length < l.jobs
      ? ` | INCOMPLETE: ${l.webhook.length} webhooks, ${l.raw.length} raw events of ${l.jobs}`
      : "";
  return [
    row(
      `latency, ${l.jobs} Jobs`,
      `raw watch ${p50p99(l.raw)} | webhook ${p50p99(l.webhook)} | p99 overhead ${ms(overhead)}` +
        goal(`< ${GOALS.p99OverheadMs} ms`, overhead < GOALS.p99OverheadMs) +
        missing,
    ),
    row("", "(from the status write's response returning; Date.now() resolution, 1 ms)"),
    row(
      "  from sending the write",
      `raw watch ${p50p99(l.rawFromSent)} | webhook ${p50p99(l.webhookFromSent)} | ` +
        `the writes took ${p50p99(l.writes)}`,
    ),
    row("  /metrics", windowText(l.controlplane)),
  ];
}

function burstRows(b: BurstResult | undefined): string[] {
  if (!b) return [row("burst", "not measured")];
  const all = b.delivered === b.jobs;
  const delivered = all ? `all ${b.jobs}` : `INCOMPLETE: ${b.delivered} of ${b.jobs}`;
  return [
    row(
      `burst, ${b.jobs} Jobs`,
      `status writes ${seconds(b.writesMs)} | ${delivered} delivered ` +
        `${seconds(b.deliveredMs)} after the first write` +
        goal(`< ${GOALS.burstMs / 1000} s`, all && b.deliveredMs < GOALS.burstMs),
    ),
    row(
      "  controlplane",
      `last webhook ${ms(b.afterLastWriteMs)} after the last write returned | ` +
        `${b.cpuSeconds.toFixed(1)} s CPU`,
    ),
    row(
      "  /metrics",
      `${b.delivered2xx} attempts answered 2xx, ${b.retries} retries | ` +
        windowText(b.controlplane),
    ),
  ];
}

function memoryRows(idleMb: number | undefined, m: MemoryResult | undefined): string[] {
  const idle = `idle ${idleMb === undefined ? "not measured" : mb(idleMb)}`;
  if (!m) return [row("memory", `${idle} | loaded: not measured`)];
  return [
    row(
      "memory",
      `${idle} | ${m.listedJobs} Jobs + ${m.pendingWatchers} pending watchers ${mb(m.rssMb)}` +
        goal(`< ${GOALS.rssMb} MB`, m.rssMb < GOALS.rssMb),
    ),
    row(
      "  restart onto them",
      `ready ${seconds(m.readyMs)} after spawn, RSS read ${seconds(SETTLE_MS)} later | ` +
        `peak ${mb(m.peakMb)} | lowest in the next ${IDLE_WINDOW_MS / 1000} s ${mb(m.settledMb)}`,
    ),
  ];
}

function heapRows(idle: HeapFigures | undefined, m: MemoryResult | undefined): string[] {
  const text = (h: HeapFigures | undefined): string =>
    h ? `heap ${mb(h.heapUsedMb)} of ${mb(h.heapTotalMb)}, external ${mb(h.externalMb)}` : "n/a";
  return [
    row(
      "  /metrics",
      `idle: ${text(idle)} | after the list: ${text(m?.heap)} | ` +
        `${IDLE_WINDOW_MS / 1000} s later: ${text(m?.settledHeap)}`,
    ),
  ];
}
