import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import {
  DELETION_COST,
  DO_NOT_DISRUPT,
  SAFE_TO_EVICT,
  SAVED_HINTS,
} from "../../controlplane/podcounter/hints.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { podAnnotations, runningPod } from "../support/pods.js";

const KEY = "active-jobs";

describe("controlplane: the pod counter's autoscaler hints @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let ns: string;
  let cp: ControlplaneProcess;

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "hints");
    cp = await startControlplane(cluster, {
      role: "all",
      args: [`--default-namespace=${ns}`, "--pod-deletion-cost"],
    });
  });

  after(async () => {
    await cp.stop();
  });

  async function count(pod: string, op: "increment" | "decrement", times = 1): Promise<string> {
    const answers = await Promise.all(
      Array.from({ length: times }, async () =>
        (await fetch(`${cp.restUrl}/${op}?pod_name=${pod}`, { method: "POST" })).text(),
      ),
    );
    return answers.sort((a, b) => Number(a) - Number(b)).at(op === "increment" ? -1 : 0)!;
  }

  async function writes(): Promise<number> {
    const text = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
    return Number(/jobhooks_pod_counter_writes_total (\d+)/.exec(text)?.[1] ?? "0");
  }

  it("carries the hints while busy, in the count's own writes, and none at zero", async () => {
    await runningPod(cluster, ns, "plain");
    const before = await writes();
    expect(await count("plain", "increment")).to.equal("1");
    expect(await count("plain", "increment", 20)).to.equal("21");
    const busy = await podAnnotations(cluster, ns, "plain");
    expect(busy).to.include({
      [KEY]: "21",
      [SAFE_TO_EVICT]: "false",
      [DO_NOT_DISRUPT]: "true",
      [DELETION_COST]: "21",
    });
    expect(JSON.parse(busy[SAVED_HINTS]!)).to.deep.equal({
      [SAFE_TO_EVICT]: null,
      [DO_NOT_DISRUPT]: null,
      [DELETION_COST]: null,
    });
    expect(await count("plain", "decrement", 21)).to.equal("0");
    const idle = await podAnnotations(cluster, ns, "plain");
    for (const key of [KEY, SAFE_TO_EVICT, DO_NOT_DISRUPT, DELETION_COST, SAVED_HINTS]) {
      expect(idle, key).to.not.have.property(key);
    }
    // One write per round of queued calls, as without the hints: 42 calls, far fewer writes.
    expect(await writes()).to.be.below(before + 42 / 2);
  });

  it("gives the pod its own values back at zero, each time it goes 0 → n → 0", async () => {
    const own = { [SAFE_TO_EVICT]: "true", [DO_NOT_DISRUPT]: "false", [DELETION_COST]: "-7" };
    await runningPod(cluster, ns, "own", { annotations: { ...own, team: "batch" } });
    for (let round = 0; round < 3; round++) {
      expect(await count("own", "increment", 3)).to.equal("3");
      expect(await podAnnotations(cluster, ns, "own")).to.include({
        [SAFE_TO_EVICT]: "false",
        [DO_NOT_DISRUPT]: "true",
        [DELETION_COST]: "3",
      });
      expect(await count("own", "decrement", 3)).to.equal("0");
      expect(await podAnnotations(cluster, ns, "own")).to.deep.equal({ ...own, team: "batch" });
    }
  });

  it("leaves a hint its owner changed while busy to the owner, then and at zero", async () => {
    await runningPod(cluster, ns, "owned");
    expect(await count("owned", "increment")).to.equal("1");
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.patchNamespacedPod(
      {
        name: "owned",
        namespace: ns,
        body: { metadata: { annotations: { [SAFE_TO_EVICT]: "true" } } },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    // The counter's next write finds the pod moved on (409) and reads it again.
    expect(await count("owned", "increment")).to.equal("2");
    expect(await podAnnotations(cluster, ns, "owned")).to.include({
      [SAFE_TO_EVICT]: "true",
      [DO_NOT_DISRUPT]: "true",
    });
    expect(await count("owned", "decrement", 2)).to.equal("0");
    const idle = await podAnnotations(cluster, ns, "owned");
    expect(idle).to.include({ [SAFE_TO_EVICT]: "true" });
    for (const key of [DO_NOT_DISRUPT, DELETION_COST, SAVED_HINTS]) {
      expect(idle, key).to.not.have.property(key);
    }
  });
});
