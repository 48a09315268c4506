import type { TestCluster } from "../cluster/TestCluster.js";
import {
  startControlplane,
  startGateway,
  type ControlplaneProcess,
  type ControlplaneRun,
  type JobhooksProcess,
} from "./controlplane.js";

/**
 * The two shipped layouts of the REST API: `jobhooks all` (the gateway calls the controlplane's
 * operations in its own process) and `jobhooks gateway --controlplane` beside a separate
 * `jobhooks controlplane` (the gateway calls them over gRPC).
 */
export type Layout = "all" | "split";

export const LAYOUTS: readonly { layout: Layout; name: string }[] = [
  { layout: "all", name: "jobhooks all" },
  { layout: "split", name: "jobhooks gateway --controlplane + jobhooks controlplane" },
];

export interface RunningLayout {
  /** The controlplane: the `all` process, or the separate controlplane. */
  cp: ControlplaneProcess;
  /** What serves the REST API: the `all` process, or the separate gateway. */
  gw: JobhooksProcess;
  /** Stops the gateway, then the controlplane. */
  stop(): Promise<void>;
}

/** Starts `layout` against the test cluster; `run` configures the controlplane. */
export async function startLayout(
  cluster: TestCluster,
  layout: Layout,
  run: Omit<ControlplaneRun, "role"> = {},
): Promise<RunningLayout> {
  const cp = await startControlplane(cluster, {
    ...run,
    role: layout === "all" ? "all" : "controlplane",
  });
  let gw: JobhooksProcess = cp;
  try {
    if (layout === "split") gw = await startGateway(cp.grpcAddress);
  } catch (err) {
    await cp.stop();
    throw err;
  }
  return {
    cp,
    gw,
    stop: async () => {
      if (gw !== cp) await gw.stop();
      await cp.stop();
    },
  };
}
