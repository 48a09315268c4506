import { expect } from "chai";
import { fullCollection, IdleCollector } from "./IdleCollector.js";
import { createLogger } from "./pinoLogger.js";

const MiB = 2 ** 20;

/**
 * Runs a collector over given periods, each its loop utilization and the heap then (MiB; the
 * heap is also read once at start, as the first period's); returns the periods it collected in.
 */
async function collectedIn(periods: { used: number; heapMib?: number }[]): Promise<number[]> {
  const collectedAt: number[] = [];
  let period = -1;
  const stop = new AbortController();
  const collector = new IdleCollector(createLogger("silent", "test"), {
    intervalMs: 1,
    utilization: () => {
      period++;
      if (period === periods.length - 1) stop.abort();
      return periods[period]?.used ?? 0;
    },
    heapTotal: () => (periods[Math.max(period, 0)]?.heapMib ?? 0) * MiB,
    collect: () => collectedAt.push(period),
  });
  await collector.run(stop.signal);
  return collectedAt;
}

describe("IdleCollector", () => {
  it("collects once when a busy period is followed by an idle one, never while idle or busy", async () => {
    // Utilization per period: idle, a little, busy, busy, between, idle (collect), idle, busy,
    // idle (collect), idle…
    const used = [0, 0.1, 0.9, 0.6, 0.1, 0.02, 0, 0.3, 0.05];
    expect(await collectedIn(used.map((u) => ({ used: u, heapMib: 40 })))).to.deep.equal([5, 8]);
  });

  it("counts a heap grown past `grown` since the last collection as work, though the loop idled", async () => {
    // Heap per period while the loop stays idle: a list read page by page, then quiet.
    const heaps = [40, 48, 60, 60, 60, 61, 90, 90];
    // 60 is 20 over the 40 at start, in an idle period: collected then; 61 is not 16 over the 60
    // after it; 90 is.
    expect(await collectedIn(heaps.map((h) => ({ used: 0.01, heapMib: h })))).to.deep.equal([2, 6]);
  });

  it("collects at workEnded(), and again at the first quiet short period after", async () => {
    let collected = 0;
    let calls = 0;
    const stop = new AbortController();
    const collector = new IdleCollector(createLogger("silent", "test"), {
      intervalMs: 60_000,
      quietMs: 5,
      // The read at the wake, then three busy short periods (the work's tail), then quiet.
      utilization: () => (calls++ < 4 ? 0.5 : 0),
      heapTotal: () => 40 * MiB,
      collect: () => {
        collected++;
        if (collected === 2) stop.abort();
      },
    });
    const running = collector.run(stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(collected).to.equal(0);
    collector.workEnded();
    const timeout = setTimeout(() => stop.abort(), 2000);
    await running;
    clearTimeout(timeout);
    expect(collected).to.equal(2);
    expect(calls).to.equal(5);
  });

  it("gives the heap back: a full collection frees what the work left", () => {
    const collect = fullCollection();
    collect();
    const base = process.memoryUsage().heapUsed;
    const work = (): number => {
      const garbage = Array.from({ length: 200_000 }, (_, k) => ({ k, s: `x${k}` }));
      return garbage.length;
    };
    expect(work()).to.equal(200_000);
    expect(process.memoryUsage().heapUsed - base).to.be.greaterThan(5 * MiB);
    collect();
    expect(process.memoryUsage().heapUsed - base).to.be.lessThan(2 * MiB);
  });
});
