import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { LAYOUTS, startLayout } from "../support/layouts.js";
import { runningPod } from "../support/pods.js";
import {
  runSchemathesis,
  schemathesisExecutable,
  type SchemathesisBounds,
} from "../support/schemathesis.js";

// Bounded so that each run stays near a minute on two cores (18 operations: 140 examples each
// in the fuzzing phase); a fixed seed makes CI repeatable (JOBHOOKS_SCHEMATHESIS_SEED picks
// another to explore).
const BOUNDS: SchemathesisBounds = {
  maxExamples: 140,
  seed: Number(process.env.JOBHOOKS_SCHEMATHESIS_SEED ?? 20261202),
};

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

  // Both shipped layouts, --auth=none.
  for (const { layout, name } of LAYOUTS) {
    it(`finds no failure with every check and phase: ${name}`, async () => {
      const running = await startLayout(cluster, layout, {
        auth: "none",
        args: [`--default-namespace=${ns}`],
      });
      const api = running.gw;
      try {
        const run = await runSchemathesis(executable, api.restUrl, BOUNDS);
        console.log(`      ${name}:\n${run.summary.replace(/^/gm, "        ")}`);
        expect(run.exitCode, run.output).to.equal(0);
        expect(api.child.exitCode, "the API process exited").to.equal(null);
      } finally {
        await running.stop();
      }
    });
  }
});
