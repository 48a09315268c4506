import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, startGateway, type JobhooksProcess } from "../support/controlplane.js";
import { runningPod } from "../support/pods.js";
import {
  runSchemathesis,
  schemathesisExecutable,
  type SchemathesisBounds,
} from "../support/schemathesis.js";

// Bounded so that each run stays near a minute on two cores; a fixed seed makes CI repeatable
// (JOBHOOKS_SCHEMATHESIS_SEED picks another to explore).
const BOUNDS: SchemathesisBounds = {
  maxExamples: 200,
  seed: Number(process.env.JOBHOOKS_SCHEMATHESIS_SEED ?? 20261202),
};

interface Layout {
  name: string;
  start(
    cluster: TestCluster,
    args: string[],
  ): Promise<{ api: JobhooksProcess; stop(): Promise<void> }>;
}

// The two shipped layouts: one process, and the gateway apart from the controlplane over gRPC.
const LAYOUTS: Layout[] = [
  {
    name: "jobhooks all --auth=none",
    async start(cluster, args) {
      const all = await startControlplane(cluster, { role: "all", auth: "none", args });
      return {
        api: all,
        stop: async () => {
          await all.stop();
        },
      };
    },
  },
  {
    name: "jobhooks controlplane + jobhooks gateway",
    async start(cluster, args) {
      const cp = await startControlplane(cluster, { auth: "none", args });
      const gw = await startGateway(cp.grpcAddress);
      return {
        api: gw,
        stop: async () => {
          await gw.stop();
          await cp.stop();
        },
      };
    },
  },
];

describe("Schemathesis against the REST API @cluster", function () {
  this.timeout(10 * 60_000);
  let executable: string;
  let cluster: TestCluster;
  let ns: string;

  before(async () => {
    executable = await schemathesisExecutable();
    cluster = await sharedCluster();
    // The document's example pod, so that the counter's examples reach a pod and count.
    ns = await createTestNamespace(cluster, "schemathesis");
    await runningPod(cluster, ns, "worker-0");
  });

  for (const layout of LAYOUTS) {
    it(`finds no failure with every check and phase: ${layout.name}`, async () => {
      const running = await layout.start(cluster, [`--default-namespace=${ns}`]);
      const { api } = running;
      try {
        const run = await runSchemathesis(executable, api.restUrl, BOUNDS);
        console.log(`      ${layout.name}:\n${run.summary.replace(/^/gm, "        ")}`);
        expect(run.exitCode, run.output).to.equal(0);
        expect(api.child.exitCode, "the API process exited").to.equal(null);
      } finally {
        await running.stop();
      }
    });
  }
});
