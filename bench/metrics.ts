import type { ControlplaneProcess } from "../test/support/controlplane.js";

/** One scrape of the controlplane's /metrics: sample name with labels → value. */
export type Scrape = Map<string, number>;

export async function scrape(cp: ControlplaneProcess): Promise<Scrape> {
  const text = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
  const samples: Scrape = new Map();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      samples.set(match[1], Number(match[2]));
    }
  }
  return samples;
}

/** How much a sample grew from `before` to `after` (a counter's increase). */
export function increase(before: Scrape, after: Scrape, sample: string): number {
  return (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
}

/** Where the controlplane's memory is, from its Node.js default metrics, in MB. */
export interface HeapFigures {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export async function heapFigures(cp: ControlplaneProcess): Promise<HeapFigures> {
  const samples = await scrape(cp);
  const mb = (name: string): number => (samples.get(name) ?? NaN) / 2 ** 20;
  return {
    heapUsedMb: mb("nodejs_heap_size_used_bytes"),
    heapTotalMb: mb("nodejs_heap_size_total_bytes"),
    externalMb: mb("nodejs_external_memory_bytes"),
  };
}

/** A histogram's mean over the observations between two scrapes, in ms. */
export function meanMs(before: Scrape, after: Scrape, histogram: string): number {
  const sum = increase(before, after, `${histogram}_sum`);
  return (sum / increase(before, after, `${histogram}_count`)) * 1000;
}

/** What the controlplane's /metrics say about the window between two scrapes. */
export interface WindowFigures {
  /** Mean of outbox row written → 2xx (jobhooks_delivery_latency_seconds). */
  meanOutboxMs: number;
  /** Mean of one HTTP attempt (jobhooks_delivery_attempt_duration_seconds). */
  meanAttemptMs: number;
  /** Event-loop delay over the window (prom-client resets it at each scrape). */
  loopLagP99Ms: number;
  loopLagMaxMs: number;
}

export function windowFigures(before: Scrape, after: Scrape): WindowFigures {
  return {
    meanOutboxMs: meanMs(before, after, "jobhooks_delivery_latency_seconds"),
    meanAttemptMs: meanMs(before, after, "jobhooks_delivery_attempt_duration_seconds"),
    loopLagP99Ms: (after.get("nodejs_eventloop_lag_p99_seconds") ?? NaN) * 1000,
    loopLagMaxMs: (after.get("nodejs_eventloop_lag_max_seconds") ?? NaN) * 1000,
  };
}
