// npm run bench:podcounter: 1,000 increments on one pod at concurrency 1, 16 and 64, through
// jobhooks and through a naive read-modify-write loop with retry, in the same run.
import * as k8s from "@kubernetes/client-node";
import { createChannel, createClient } from "nice-grpc";
import { availableParallelism } from "node:os";
import { PooledKube } from "../test/support/pooledClient.js";
import { PodCounterServiceDefinition } from "../proto/gen/jobhooks/v1/podcounter.js";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { createTestNamespace } from "../test/support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../test/support/controlplane.js";
import { runningPod } from "../test/support/pods.js";
import { mapConcurrent } from "./mapConcurrent.js";

const OPS = 1000;
const LABEL = "active-jobs";
const CONCURRENCY = [1, 16, 64];

interface Run {
  opsPerSecond: number;
  writesPerOp: number;
  final: string | undefined;
}

// What a client without jobhooks does: read the pod, write the label back with its
// resourceVersion, and start over on a conflict. Every attempt is a write.
async function naive(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
  concurrency: number,
): Promise<Run> {
  let writes = 0;
  const started = performance.now();
  await mapConcurrent(Array.from({ length: OPS }), concurrency, async () => {
    for (;;) {
      const pod = await core.readNamespacedPod({ name, namespace });
      const value = Number(pod.metadata?.labels?.[LABEL] ?? "0") + 1;
      writes++;
      try {
        await core.patchNamespacedPod(
          {
            name,
            namespace,
            body: {
              metadata: {
                resourceVersion: pod.metadata?.resourceVersion,
                labels: { [LABEL]: String(value) },
              },
            },
          },
          k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        );
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const pod = await core.readNamespacedPod({ name, namespace });
  return {
    opsPerSecond: OPS / seconds,
    writesPerOp: writes / OPS,
    final: pod.metadata?.labels?.[LABEL],
  };
}

async function writesSoFar(cp: ControlplaneProcess): Promise<number> {
  const text = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
  return Number(/jobhooks_pod_counter_writes_total (\d+)/.exec(text)?.[1] ?? "0");
}

async function viaJobhooks(
  cp: ControlplaneProcess,
  core: k8s.CoreV1Api,
  target: { namespace: string; name: string },
  concurrency: number,
): Promise<Run> {
  const { namespace, name } = target;
  const counter = createClient(PodCounterServiceDefinition, createChannel(cp.grpcAddress));
  const before = await writesSoFar(cp);
  const started = performance.now();
  await mapConcurrent(Array.from({ length: OPS }), concurrency, () =>
    counter.increment({ podName: name, namespace }),
  );
  const seconds = (performance.now() - started) / 1000;
  const writes = (await writesSoFar(cp)) - before;
  const pod = await core.readNamespacedPod({ name, namespace });
  return {
    opsPerSecond: OPS / seconds,
    writesPerOp: writes / OPS,
    final: pod.metadata?.labels?.[LABEL],
  };
}

// The same 1,000 units as leases (ttl 1 h), then each released: 2,000 calls, one pod.
async function viaLeases(
  cp: ControlplaneProcess,
  core: k8s.CoreV1Api,
  target: { namespace: string; name: string },
  concurrency: number,
): Promise<Run> {
  const { namespace, name } = target;
  const counter = createClient(PodCounterServiceDefinition, createChannel(cp.grpcAddress));
  const before = await writesSoFar(cp);
  const started = performance.now();
  const leases = await mapConcurrent(Array.from({ length: OPS }), concurrency, async () => {
    const v = await counter.increment({ podName: name, namespace, ttlSeconds: 3600 });
    return v.lease?.id ?? "";
  });
  const held = (await core.readNamespacedPod({ name, namespace })).metadata?.labels?.[LABEL];
  await mapConcurrent(leases, concurrency, (leaseId) =>
    counter.releaseLease({ podName: name, namespace, leaseId, ttlSeconds: 0 }),
  );
  const seconds = (performance.now() - started) / 1000;
  const writes = (await writesSoFar(cp)) - before;
  return { opsPerSecond: (2 * OPS) / seconds, writesPerOp: writes / (2 * OPS), final: held };
}

function row(label: string, r: Run): string {
  return `${label.padEnd(26)} ${r.opsPerSecond.toFixed(0).padStart(6)} ops/s  ${r.writesPerOp.toFixed(3)} writes/op  label ${r.final ?? "(none)"}`;
}

async function main(): Promise<void> {
  const cluster = await TestCluster.start({ progress: (l) => process.stderr.write(`${l}\n`) });
  const api = new PooledKube(cluster.kubeConfig);
  const core = api.client(k8s.CoreV1Api);
  const cp = await startControlplane(cluster, { args: ["--log-level=info"] });
  const lines = [
    `jobhooks pod counter benchmark (node ${process.version}, ${availableParallelism()} cores, ${OPS} increments on one pod)`,
  ];
  try {
    const ns = await createTestNamespace(cluster, "bench-counter");
    for (const c of CONCURRENCY) {
      await runningPod(cluster, ns, `naive-${c}`);
      await runningPod(cluster, ns, `jobhooks-${c}`);
      const n = await naive(core, ns, `naive-${c}`, c);
      const j = await viaJobhooks(cp, core, { namespace: ns, name: `jobhooks-${c}` }, c);
      const goal =
        c === 64
          ? `  (goal: ≥ 5× naive ops/s, ≤ 0.2 writes/op: ${(j.opsPerSecond / n.opsPerSecond).toFixed(1)}×${j.opsPerSecond >= 5 * n.opsPerSecond && j.writesPerOp <= 0.2 ? "" : " MISSED"})`
          : "";
      lines.push(row(`concurrency ${c}, naive`, n), row(`concurrency ${c}, jobhooks`, j) + goal);
      process.stderr.write(`concurrency ${c} done\n`);
    }
    await runningPod(cluster, ns, "leases-64");
    const l = await viaLeases(cp, core, { namespace: ns, name: "leases-64" }, 64);
    lines.push(
      row("concurrency 64, leases", l) +
        `  (1,000 leases then their releases: 2,000 calls; label at the peak; goal ≤ 0.2 writes/op${l.writesPerOp <= 0.2 ? "" : " MISSED"})`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await cp.stop();
    api.close();
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
