import * as k8s from "@kubernetes/client-node";
import { availableParallelism } from "node:os";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { PooledKube } from "../test/support/pooledClient.js";
import { Receiver } from "../test/support/receiver.js";
import type { BenchContext } from "./BenchContext.js";
import { Controlplanes } from "./Controlplanes.js";

/** A progress printer: "[bench +12.3s] line" on stderr, the time since it was made. */
export function benchProgress(): (line: string) => void {
  const began = Date.now();
  return (line) => {
    process.stderr.write(`[bench +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
  };
}

/** How a run went: the report's heading, and whether something broke (said on stderr). */
export interface BenchRun {
  heading: string;
  failed: boolean;
}

/**
 * Starts a test cluster, a webhook receiver and a pooled Batch client, runs `run` with them and
 * a Controlplanes, and takes it all down again, whether `run` succeeded or not. A Ctrl-C ends
 * through process.exit, whose hooks kill the cluster and controlplanes.
 */
export async function runWithCluster(
  name: string,
  progress: (line: string) => void,
  run: (ctx: BenchContext, cps: Controlplanes) => Promise<void>,
): Promise<BenchRun> {
  exitOnSignals();
  let cluster: TestCluster | undefined;
  let receiver: Receiver | undefined;
  let cps: Controlplanes | undefined;
  let closeApi: (() => void) | undefined;
  const result = { heading: `jobhooks ${name} benchmark (node ${process.version})`, failed: false };
  try {
    cluster = await TestCluster.start({ progress });
    result.heading = await title(name, cluster);
    receiver = await Receiver.start();
    cps = new Controlplanes(cluster, progress);
    // Pooled connections, so the benchmark's own writes are not paced by TLS handshakes.
    const api = new PooledKube(cluster.kubeConfig);
    const batch = api.client(k8s.BatchV1Api);
    closeApi = () => api.close();
    await run({ cluster, batch, receiver, progress }, cps);
  } catch (err) {
    result.failed = true;
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  } finally {
    closeApi?.();
    await cps?.stopAll();
    await receiver?.stop();
    await cluster?.stop();
  }
  return result;
}

async function title(name: string, cluster: TestCluster): Promise<string> {
  const version = await cluster.kubeConfig.makeApiClient(k8s.VersionApi).getCode();
  return (
    `jobhooks ${name} benchmark (node ${process.version}, ${availableParallelism()} cores, ` +
    `kube-apiserver ${version.gitVersion})`
  );
}

function exitOnSignals(): void {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}
