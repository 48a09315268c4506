import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { startReadinessProbe, type ProbeSample } from "../support/readinessProbe.js";

/** The controlplane's log lines this test reads (controlplane/jobwatch). */
const LOG = {
  /** A list or watch failed; `delayMs` is the backoff before the next try. */
  restarting: "restarting job watch",
  /** The backoff was cut short because the apiserver answers again: the next try starts now. */
  retryingEarly: "retrying job watch early",
  /** Every stream listed since its last failure and its watch is open again. */
  current: "job watch current",
} as const;

type LogEntry = Record<string, unknown>;

/** When the watch waited out a backoff: from the failure until its next try began. */
interface Backoff {
  from: number;
  until: number;
  reason: string;
}

function backoffs(logs: LogEntry[], since: number): Backoff[] {
  const found: Backoff[] = [];
  logs.forEach((entry, i) => {
    const from = Number(entry.time);
    if (entry.msg !== LOG.restarting || from < since) return;
    const early = logs.slice(i + 1).find((e) => e.msg === LOG.retryingEarly);
    const until = Math.min(from + Number(entry.delayMs), early ? Number(early.time) : Infinity);
    found.push({ from, until, reason: String(entry.reason) });
  });
  return found;
}

describe("controlplane readiness follows its watch of Jobs @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess | undefined;

  before(async () => {
    cluster = await sharedCluster();
  });

  afterEach(async () => {
    await cp?.stop();
    cp = undefined;
  });

  it("is not ready while the apiserver is down, nor after it returns until the watch has resumed", async function () {
    this.timeout(60_000);
    cp = await startControlplane(cluster);
    const logs = cp.logs;
    const probe = startReadinessProbe(cp);
    const last = (source: ProbeSample["source"]): ProbeSample | undefined =>
      probe.samples.filter((s) => s.source === source).at(-1);
    const bothReady = (): true | undefined =>
      last("readyz")?.ready && last("grpc")?.ready ? true : undefined;
    let killedAt = 0;
    let down = false;
    try {
      await waitFor("/readyz 200 and SERVING before the fault", bothReady, { timeoutMs: 20_000 });
      killedAt = Date.now();
      down = true;
      await cluster.killApiserver();
      // How soon each answers "not ready" is checked below, with every other expectation.
      await waitFor(
        "/readyz 503",
        () => probe.samples.some((s) => s.sentAt >= killedAt && !s.ready) || undefined,
        { timeoutMs: 10_000 },
      );
      // Down long enough for the watch's backoff to grow to seconds, as in a real outage.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await cluster.restartApiserver();
      down = false;
      // Ready again, and every backoff the log announced so far is over.
      await waitFor(
        "/readyz 200 and SERVING after the restart, past every backoff",
        () => {
          const ends = backoffs(logs, killedAt).map((b) => b.until);
          return bothReady() && Date.now() > Math.max(0, ...ends) + 300 ? true : undefined;
        },
        { timeoutMs: 35_000 },
      );
    } finally {
      await probe.stop();
      if (down) await cluster.restartApiserver();
    }

    const at = (t: number): string => `+${((t - killedAt) / 1000).toFixed(1)} s`;
    for (const source of ["readyz", "grpc"] as const) {
      const samples = probe.samples.filter((s) => s.source === source && s.sentAt >= killedAt);
      const firstDown = samples.find((s) => !s.ready);
      expect(firstDown, `${source}: not ready after the kill`).to.not.equal(undefined);
      expect(firstDown!.receivedAt - killedAt, `${source}: not ready within 5 s`).to.be.below(5000);
      // Asked after the watch failed and answered before its next try: a 200 here is a lie.
      for (const b of backoffs(logs, killedAt)) {
        const lie = samples.find((s) => s.ready && s.sentAt > b.from && s.receivedAt < b.until);
        expect(
          lie && `${source} ready at ${at(lie.receivedAt)}: ${lie.detail}`,
          `${source} ready while the watch was in backoff from ${at(b.from)} until ${at(b.until)} (after: ${b.reason})`,
        ).to.equal(undefined);
      }
      const resumed = logs.find((e) => e.msg === LOG.current && Number(e.time) > killedAt);
      expect(resumed, `the log says when the watch resumed ("${LOG.current}")`).to.not.equal(
        undefined,
      );
      const firstUp = samples.find((s) => s.ready && s.sentAt > firstDown!.receivedAt);
      expect(firstUp, `${source}: ready again`).to.not.equal(undefined);
      expect(
        firstUp!.receivedAt,
        `${source} ready again at ${at(firstUp!.receivedAt)}, before the watch resumed at ${at(Number(resumed!.time))}`,
      ).to.be.at.least(Number(resumed!.time));
    }
  });
});
