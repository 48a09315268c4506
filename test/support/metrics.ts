import type { JobhooksProcess } from "./controlplane.js";

/** One sample of a process's /metrics, e.g. "jobhooks_leases_expired_total"; NaN when absent. */
export async function metricValue(p: JobhooksProcess, sample: string): Promise<number> {
  const text = await (await fetch(`http://${p.healthAddress}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return Number(line?.slice(sample.length + 1) ?? "NaN");
}
