import type { LatencyResult } from "./measureLatency.js";
import { AFTER_GOAL_MIB, AFTER_SECONDS, REST_LOAD, type RestMemory } from "./measureRestMemory.js";
import { STARTS, type StartupResult } from "./measureStartup.js";
import type { LoadFigures } from "./restLoad.js";
import { ms, percentile } from "./stats.js";

/** Issue 16's goals. */
export const LEAN_GOALS = {
  idleMib: 100,
  restAnswerMs: 300,
  readyMs: 1000,
  p99Ms: 15,
  maxMs: 50,
} as const;

/** What a run measured; a part that failed or did not run is missing. */
export interface LeanResults {
  memory?: RestMemory;
  bareMemory?: RestMemory;
  startup?: StartupResult;
  latency?: LatencyResult;
  loadedLatency?: LatencyResult;
  /** The POST load beside loadedLatency. */
  besideLoad?: LoadFigures;
}

/** One line: a label, jobhooks' figure, its goal ("" for none), the reference. */
type Row = [label: string, figure: string, goal?: string, reference?: string];

function row(...cells: Row): Row {
  return cells;
}

/** `text`, or `text MISSED`. */
function target(text: string, ok: boolean): string {
  return ok ? text : `${text} MISSED`;
}

function mib(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} MiB` : "n/a";
}

/**
 * The table printed at the end of a run; the figures' and goals' columns are as wide as their
 * widest cell in the rows with a goal or a reference (a row of a figure alone runs on).
 */
export function formatLean(title: string, r: LeanResults): string {
  const rows: Row[] = [
    row("", "jobhooks all", "goal (issue 16)", "reference, same run"),
    ...memoryRows(r.memory, r.bareMemory),
    ...startupRows(r.startup),
    ...latencyRows(`latency, ${r.latency?.jobs ?? "?"} Jobs 100 ms apart`, r.latency),
    ...latencyRows("… again beside a POST load", r.loadedLatency),
    ...(r.loadedLatency ? [row("  the POST load", loadText(r.besideLoad))] : []),
  ];
  const tabled = rows.filter(([, , g, ref]) => g !== undefined || ref !== undefined);
  const width = (i: number): number => Math.max(...tabled.map((cells) => (cells[i] ?? "").length));
  const widths = [Math.max(...rows.map(([label]) => label.length)), width(1), width(2)];
  const line = (cells: Row): string =>
    cells
      .map((cell, i) => (cell ?? "").padEnd(i < cells.length - 1 ? (widths[i] ?? 0) : 0))
      .join("  ")
      .trimEnd();
  return [title, ...rows.map(line)].join("\n");
}

function requestsText(f: LoadFigures): string {
  return `${f.requests} in ${f.seconds.toFixed(1)} s, ${f.rps.toFixed(0)} req/s`;
}

function answersText(f: LoadFigures): string {
  const faults = f.errors + f.non2xx === 0 ? "0 errors" : `${f.errors} errors, ${f.non2xx} non-2xx`;
  return `p99 ${f.p99} ms, ${faults}`;
}

function loadText(f: LoadFigures | undefined): string {
  return f ? `${requestsText(f)}, ${answersText(f)}` : "n/a";
}

function memoryRows(m: RestMemory | undefined, bare: RestMemory | undefined): Row[] {
  if (!m) return [row("memory", "not measured")];
  const b = (pick: (x: RestMemory) => string): string =>
    bare ? `bare node:http ${pick(bare)}` : "n/a";
  const under = Number.isFinite(m.underGoalAfterS)
    ? `under ${AFTER_GOAL_MIB} MiB from ${m.underGoalAfterS.toFixed(0)} s`
    : `never under ${AFTER_GOAL_MIB} MiB`;
  const { connections, seconds, maxRequests } = REST_LOAD;
  return [
    row(
      "idle RSS, empty cluster",
      mib(m.idleMb),
      target(`≤ ${LEAN_GOALS.idleMib} MiB`, m.idleMb <= LEAN_GOALS.idleMib),
      b((x) => mib(x.idleMb)),
    ),
    row(`POST load, ${connections} connections`, `${seconds} s or ${maxRequests} requests:`),
    row(
      "  requests",
      requestsText(m.load),
      "",
      b((x) => requestsText(x.load)),
    ),
    row(
      "  answers",
      answersText(m.load),
      "",
      b((x) => answersText(x.load)),
    ),
    row(
      "  RSS peak during it",
      mib(m.peakMb),
      "",
      b((x) => mib(x.peakMb)),
    ),
    row(
      `  RSS ${AFTER_SECONDS} s after it`,
      `${mib(m.endMb)} at the end, ${under}`,
      target(
        `< ${AFTER_GOAL_MIB} MiB within ${AFTER_SECONDS} s`,
        m.underGoalAfterS <= AFTER_SECONDS,
      ),
      b((x) => mib(x.endMb)),
    ),
  ];
}

/** "median 250 ms (min–max 200–300)" */
function median(values: readonly number[]): string {
  const whole = (v: number): string => v.toFixed(0);
  return (
    `median ${ms(percentile(values, 50))} ` +
    `(${whole(Math.min(...values))}–${whole(Math.max(...values))})`
  );
}

function startupRows(s: StartupResult | undefined): Row[] {
  if (!s) return [row("start-up", "not measured")];
  const rest = percentile(s.restMs, 50);
  const ready = percentile(s.readyMs, 50);
  return [
    row(`start-up, ${STARTS} starts`, "from spawn; new store, empty cluster, tried every 10 ms:"),
    row(
      "  to the first REST answer",
      median(s.restMs),
      target(`≤ ${LEAN_GOALS.restAnswerMs} ms`, rest <= LEAN_GOALS.restAnswerMs),
      `bare node:http to listening ${median(s.bareMs)}`,
    ),
    row(
      "  to /readyz 200",
      median(s.readyMs),
      target(`≤ ${LEAN_GOALS.readyMs / 1000} s`, ready <= LEAN_GOALS.readyMs),
    ),
  ];
}

function spread(values: readonly number[]): string {
  return (
    `p50 ${ms(percentile(values, 50))} p99 ${ms(percentile(values, 99))} ` +
    `max ${ms(values.length === 0 ? NaN : Math.max(...values))}`
  );
}

function latencyRows(label: string, l: LatencyResult | undefined): Row[] {
  if (!l) return [row(label, "not measured")];
  const p99 = percentile(l.webhook, 99);
  const max = l.webhook.length === 0 ? NaN : Math.max(...l.webhook);
  const missing =
    l.webhook.length < l.jobs || l.raw.length < l.jobs
      ? ` INCOMPLETE: ${l.webhook.length} webhooks, ${l.raw.length} raw events of ${l.jobs}`
      : "";
  const { loopLagP99Ms, loopLagMaxMs } = l.controlplane;
  return [
    row(label, `from the status write's response returning${missing}:`),
    row(
      "  webhook arrival",
      spread(l.webhook),
      target(
        `p99 ≤ ${LEAN_GOALS.p99Ms} ms, max ≤ ${LEAN_GOALS.maxMs} ms`,
        p99 <= LEAN_GOALS.p99Ms && max <= LEAN_GOALS.maxMs,
      ),
      `raw watch ${spread(l.raw)}`,
    ),
    row("  event-loop delay", `p99 ${ms(loopLagP99Ms)} max ${ms(loopLagMaxMs)}`),
  ];
}
