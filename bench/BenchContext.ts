import type * as k8s from "@kubernetes/client-node";
import type { TestCluster } from "../test/cluster/TestCluster.js";
import type { Receiver } from "../test/support/receiver.js";

/** What every part of the benchmark works with. */
export interface BenchContext {
  cluster: TestCluster;
  batch: k8s.BatchV1Api;
  receiver: Receiver;
  /** One line of progress, on stderr. */
  progress: (line: string) => void;
}
