import { expect } from "chai";
import { createChannel, createClient } from "nice-grpc";
import {
  PodCounterServiceDefinition,
  type PodCounterServiceClient,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { podCount, runningPod } from "../support/pods.js";

const KEY = "active-jobs";

describe("controlplane: pod counter with --allow-negative @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let ns: string;

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "negative");
  });

  /** The seed's call on the gateway: the count as a plain integer. */
  async function rest(cp: ControlplaneProcess, op: string, pod: string): Promise<string> {
    const res = await fetch(`${cp.restUrl}/${op}?pod_name=${pod}`, { method: "POST" });
    const text = await res.text();
    expect(res.status, text).to.equal(200);
    return text;
  }

  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  describe("bare --allow-negative, --remove-on-zero left at true", () => {
    let cp: ControlplaneProcess;
    let counter: PodCounterServiceClient;

    before(async () => {
      await runningPod(cluster, ns, "owed");
      // Bare, as pod-webhook-tracker's users wrote it: the next flag is not its value.
      cp = await startControlplane(cluster, {
        role: "all",
        args: ["--allow-negative", `--default-namespace=${ns}`],
      });
      counter = createClient(PodCounterServiceDefinition, createChannel(cp.grpcAddress));
    });

    after(async () => {
      await cp.stop();
    });

    it("answers negative counts below zero, keeps them in the annotation, and no label", async () => {
      expect(await rest(cp, "decrement", "owed")).to.equal("-1");
      expect(await podCount(cluster, ns, "owed", KEY)).to.deep.equal({
        label: undefined,
        annotation: "-1",
      });

      const downs = await Promise.all(
        range(1, 50).map(() => counter.decrement({ podName: "owed", namespace: ns })),
      );
      expect(downs.map((d) => d.value).sort((a, b) => a - b)).to.deep.equal(range(-51, -2));
      expect(await podCount(cluster, ns, "owed", KEY)).to.deep.equal({
        label: undefined,
        annotation: "-51",
      });
    });

    it("comes back up exactly under concurrency: the label returns above zero", async () => {
      const ups = await Promise.all(
        range(1, 60).map(() => counter.increment({ podName: "owed", namespace: ns })),
      );
      expect(ups.map((u) => u.value).sort((a, b) => a - b)).to.deep.equal(range(-50, 9));
      expect(await podCount(cluster, ns, "owed", KEY)).to.deep.equal({
        label: "9",
        annotation: "9",
      });
      // Mixed at once: 9 + 20 - 29 = 0, and at zero both go away.
      const mixed = await Promise.all([
        ...range(1, 20).map(() => counter.increment({ podName: "owed", namespace: ns })),
        ...range(1, 29).map(() => counter.decrement({ podName: "owed", namespace: ns })),
      ]);
      expect(mixed).to.have.length(49);
      expect((await counter.getCounter({ podName: "owed", namespace: ns })).value).to.equal(0);
      expect(await podCount(cluster, ns, "owed", KEY)).to.deep.equal({
        label: undefined,
        annotation: undefined,
      });
    });
  });

  describe("--allow-negative=true --remove-on-zero=false", () => {
    let cp: ControlplaneProcess;

    before(async () => {
      await runningPod(cluster, ns, "kept");
      cp = await startControlplane(cluster, {
        role: "all",
        args: ["--allow-negative=true", "--remove-on-zero=false", `--default-namespace=${ns}`],
      });
    });

    after(async () => {
      await cp.stop();
    });

    it("holds 0 in the label below zero, the exact count in the annotation", async () => {
      expect(await rest(cp, "decrement", "kept")).to.equal("-1");
      expect(await rest(cp, "decrement", "kept")).to.equal("-2");
      expect(await podCount(cluster, ns, "kept", KEY)).to.deep.equal({
        label: "0",
        annotation: "-2",
      });
      for (const want of ["-1", "0", "1"])
        expect(await rest(cp, "increment", "kept")).to.equal(want);
      expect(await podCount(cluster, ns, "kept", KEY)).to.deep.equal({
        label: "1",
        annotation: "1",
      });
    });
  });
});
