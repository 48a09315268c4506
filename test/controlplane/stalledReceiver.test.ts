import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob, jobFinished } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { webhookTo } from "../support/watchers.js";

const HEALTHY = 30;
const STALLED_WEBHOOKS = 10;
const STALLED_PER_WEBHOOK = 10;

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
}

describe("dispatcher: a stalled receiver delays only its own deliveries @cluster", function () {
  this.timeout(3 * 60_000);
  let cluster: TestCluster;
  let healthy: Receiver;
  let stalled: Receiver;
  let cp: ControlplaneProcess | undefined;

  before(async () => {
    cluster = await sharedCluster();
    healthy = await Receiver.start();
    stalled = await Receiver.start();
  });

  after(async () => {
    await cp?.stop();
    await healthy.stop();
    await stalled.stop();
  });

  // Watchers registered after their Job finished fire at once: each healthy delivery's latency
  // is from its watcher's creation to its arrival.
  async function healthyLatencies(ns: string, round: string): Promise<number[]> {
    const started = new Map<string, number>();
    for (let i = 0; i < HEALTHY; i++) {
      const path = `/${ns}/${round}/${i}`;
      const webhookId = await webhookTo(cp!, healthy.url + path);
      started.set(path, Date.now());
      await cp!.watchers.createWatcher({
        namespace: ns,
        jobName: "done",
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
    }
    return Promise.all(
      [...started].map(async ([path, at]) => {
        const [first] = await healthy.waitFor(path, 1, 20_000);
        return (first?.at ?? Infinity) - at;
      }),
    );
  }

  it("healthy deliveries keep their pace beside 100 to a receiver that never answers", async () => {
    const ns = await createTestNamespace(cluster, "stalled");
    cp = await startControlplane(cluster, { args: ["--attempt-timeout=60s"] });
    await createJob(cluster, ns, "done");
    await jobFinished(cluster, ns, "done");

    const alone = await healthyLatencies(ns, "alone");

    for (let w = 0; w < STALLED_WEBHOOKS; w++) {
      const path = `/${ns}/stalled/${w}`;
      stalled.script(path, ["hang"]);
      const webhookId = await webhookTo(cp, stalled.url + path);
      await cp.watchers.createWatcher({
        namespace: ns,
        jobName: "done",
        triggers: Array.from({ length: STALLED_PER_WEBHOOK }, () => ({
          webhookId,
          timeoutSeconds: 0,
        })),
      });
    }
    // The stalled receiver holds every connection it was given.
    await waitFor("the stalled receiver to hold connections", () =>
      stalled.requests.length >= 4 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const held = stalled.requests.length;

    const beside = await healthyLatencies(ns, "beside");
    console.log(
      `      figures: healthy p99 ${p99(alone)} ms alone, ${p99(beside)} ms beside ` +
        `${STALLED_WEBHOOKS * STALLED_PER_WEBHOOK} stalled deliveries (${held} connections held)`,
    );
    expect(p99(beside)).to.be.at.most(p99(alone) + 200);
  });
});
