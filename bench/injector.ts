// npm run bench:injector: the time the sidecar injector adds to creating a pod, over 200 pod
// creations of each kind, interleaved so that the cluster's noise falls on all kinds alike.
import * as k8s from "@kubernetes/client-node";
import { TestCluster } from "../test/cluster/TestCluster.js";
import { createTestNamespace } from "../test/support/cluster.js";
import { startControlplane } from "../test/support/controlplane.js";
import {
  injectionWorks,
  injectorArgs,
  testWebhookConfiguration,
} from "../test/support/injector.js";
import { freePort } from "../test/cluster/ports.js";
import { ms, percentile } from "./stats.js";

const PODS = 200;

type Kind = "baseline" | "not asked" | "injected";

async function main(): Promise<void> {
  const cluster = await TestCluster.start({ progress: (l) => process.stderr.write(`${l}\n`) });
  // A fixed port, so that a restarted controlplane is where the configuration points.
  const args = [
    ...injectorArgs("127.0.0.1:9090"),
    `--webhook-listen=127.0.0.1:${await freePort()}`,
    "--log-level=info",
  ];
  let cp = await startControlplane(cluster, { injector: true, args });
  try {
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    // The webhooks see one namespace only; pods in the other reach no webhook at all.
    const watched = await createTestNamespace(cluster, "bench-inject");
    const unwatched = await createTestNamespace(cluster, "bench-plain");
    await cluster.kubeConfig
      .makeApiClient(k8s.AdmissionregistrationV1Api)
      .createMutatingWebhookConfiguration({
        body: testWebhookConfiguration("jobhooks", `https://${cp.webhookAddress}/inject`, watched),
      });
    await injectionWorks(cluster, watched);

    const create = async (kind: Kind, i: number): Promise<number> => {
      const started = performance.now();
      await core.createNamespacedPod({
        namespace: kind === "baseline" ? unwatched : watched,
        body: {
          metadata: {
            name: `${kind.replace(" ", "-")}-${i}`,
            ...(kind === "injected" && { annotations: { "jobhooks.dev/inject": "true" } }),
          },
          spec: { containers: [{ name: "work", image: "busybox" }] },
        },
      });
      return performance.now() - started;
    };
    const kinds: Kind[] = ["baseline", "not asked", "injected"];
    const times = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
    for (let i = 0; i < PODS; i++) {
      for (const kind of kinds) times.get(kind)?.push(await create(kind, i));
      if ((i + 1) % 50 === 0) process.stderr.write(`[bench] ${i + 1}/${PODS} of each kind\n`);
    }
    const stat = (kind: Kind, p: number): number => percentile(times.get(kind) ?? [], p);
    const metrics = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
    const metric = (name: string): number =>
      Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1]);
    const injectorMean =
      (metric("jobhooks_injector_admission_duration_seconds_sum") /
        metric("jobhooks_injector_admission_duration_seconds_count")) *
      1000;
    // A restart makes a new CA: how long until the apiserver trusts it and pods are injected.
    await cp.stop();
    const restarted = performance.now();
    cp = await startControlplane(cluster, { injector: true, args });
    await injectionWorks(cluster, watched, 10);
    const restartMs = performance.now() - restarted;
    const row = (kind: Kind): string =>
      `${kind.padEnd(10)} p50 ${ms(stat(kind, 50)).padStart(9)}   p99 ${ms(stat(kind, 99)).padStart(9)}`;
    const added = (kind: Kind, p: number): string => ms(stat(kind, p) - stat("baseline", p));
    process.stdout.write(
      [
        `jobhooks injector benchmark (node ${process.version}, ${PODS} pod creations of each kind)`,
        "pod create, apiserver round trip:",
        `  ${row("baseline")}   (no webhook matches the namespace)`,
        `  ${row("not asked")}   (the annotation webhook is called; no opt-in, no patch)`,
        `  ${row("injected")}   (annotated: the sidecar patch)`,
        `added per injected pod: p50 ${added("injected", 50)}, p99 ${added("injected", 99)}`,
        `added per pod that does not opt in: p50 ${added("not asked", 50)}, p99 ${added("not asked", 99)}`,
        `the injector's own time per review (mean, body read to answer): ${ms(injectorMean)}`,
        `controlplane restart (stopped → started → new CA trusted, pods injected again): ${ms(restartMs)}`,
        "",
      ].join("\n"),
    );
  } finally {
    await cp.stop();
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
