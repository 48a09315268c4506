// npm run demo: jobhooks doing its main job, end to end, on a local cluster, in under a minute
// once the cluster binaries are cached. Everything it starts, it stops.
import * as k8s from "@kubernetes/client-node";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestCluster } from "../cluster/TestCluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import {
  exampleManifest,
  initScript,
  SEED_SERVICE_URL,
  SEED_WEBHOOK_ID,
} from "../support/seedExample.js";
import { waitFor } from "../cluster/wait.js";
import { declarativeWay } from "./declarativeWay.js";

const started = Date.now();
const say = (text: string): void => {
  process.stdout.write(`[demo +${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
};
const show = (label: string, text: string): void => {
  process.stdout.write(`${label}\n${text.replace(/^/gm, "    ")}\n`);
};

// What the example Job's init container sends, computed the way its shell script computes it:
// `echo $requestBody` folds the white space, sed puts the Job's name in.
function initContainerRequest(
  script: string,
  jobName: string,
  gateway: string,
  webhookId: string,
): { url: string; body: string } {
  const template = /requestBody='([\s\S]*?)'/.exec(script)?.[1];
  if (!template) throw new Error("the example's script has no requestBody");
  const body = template
    .split(/\s+/)
    .filter((w) => w !== "")
    .join(" ")
    .replace("$JOB_NAME", jobName)
    .replaceAll(SEED_WEBHOOK_ID, webhookId);
  const url = /(http:\/\/\S+\/job-done-watchers)/
    .exec(script)?.[1]
    ?.replace(SEED_SERVICE_URL, gateway);
  if (!url) throw new Error("the example's script has no URL");
  return { url, body };
}

type Delivery = IncomingMessage & { body: string };

/** The requests the receiver got, in order, for the demo to wait on one at a time. */
class Deliveries {
  private readonly arrived: Delivery[] = [];
  private wake: (() => void) | undefined;

  add(d: Delivery): void {
    this.arrived.push(d);
    this.wake?.();
  }

  async next(timeoutMs: number): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.arrived.shift();
      if (d) return d;
      if (Date.now() > deadline) throw new Error(`no webhook within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }
}

async function main(): Promise<void> {
  say(
    "starting a local Kubernetes cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok)",
  );
  const cluster = await TestCluster.start({ progress: (line) => say(line) });
  let jobhooks: ControlplaneProcess | undefined;
  const receiver = createServer();
  const deliveries = new Deliveries();
  receiver.on("request", (req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      res.writeHead(200).end();
      deliveries.add(Object.assign(req, { body }));
    });
  });
  try {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/job-done`;
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "demo" } } });
    await waitFor("the demo namespace's ServiceAccount", () =>
      core.readNamespacedServiceAccount({ name: "default", namespace: "demo" }),
    );

    say(
      "starting `jobhooks all` (controlplane + REST gateway) with --auth=none, as k8s-job-webhooks ran",
    );
    jobhooks = await startControlplane(cluster, {
      role: "all",
      storePath: join(mkdtempSync(join(tmpdir(), "jobhooks-demo-")), "jobhooks.db"),
      args: ["--default-namespace=demo"],
    });
    say(`REST API at ${jobhooks.restUrl}, webhook receiver at ${receiverUrl}`);

    const hook = await fetch(`${jobhooks.restUrl}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: receiverUrl, description: "demo receiver" }),
    });
    const webhook = (await hook.json()) as { id: string };
    show(`POST /webhooks → ${hook.status}`, JSON.stringify(webhook, null, 2));

    const job = exampleManifest("seed-job.yaml") as k8s.V1Job;
    job.spec!.template.metadata = { annotations: { "test.jobhooks.dev/run-ms": "3000" } };
    await cluster.kubeConfig
      .makeApiClient(k8s.BatchV1Api)
      .createNamespacedJob({ namespace: "demo", body: job });
    say(
      "created Job demo/example-job from manifests/examples/seed-job.yaml (its pod runs for 3 s)",
    );

    const { url, body } = initContainerRequest(
      initScript(job.spec!.template),
      "example-job",
      jobhooks.restUrl,
      webhook.id,
    );
    const registered = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    show(
      `the init container's request: POST ${new URL(url).pathname} ${body}\n→ ${registered.status}`,
      JSON.stringify(await registered.json(), null, 2),
    );

    say("waiting for the Job to complete and the webhook to arrive");
    const delivery = await deliveries.next(30_000);
    const headers = ["webhook-id", "webhook-timestamp", "content-type"]
      .map((h) => `${h}: ${String(delivery.headers[h])}`)
      .join("\n");
    show(
      "webhook received:",
      `POST ${delivery.url ?? ""}\n${headers}\n\n${JSON.stringify(JSON.parse(delivery.body), null, 2)}`,
    );

    const watchers = (await (
      await fetch(`${jobhooks.restUrl}/job-done-watchers?jobName=example-job`)
    ).json()) as {
      id: string;
      status: string;
      jobDoneTriggerWebhooks: { status: string; calledAt: string }[];
    }[];
    const [w] = watchers;
    say(
      `watcher ${w?.status}; trigger ${w?.jobDoneTriggerWebhooks[0]?.status} at ${w?.jobDoneTriggerWebhooks[0]?.calledAt}`,
    );
    const log = await fetch(`${jobhooks.restUrl}/job-done-watchers/${w?.id ?? ""}/deliveries`);
    show(
      `GET /job-done-watchers/${w?.id ?? ""}/deliveries → ${log.status} (the attempt log)`,
      JSON.stringify(await log.json(), null, 2),
    );
    await declarativeWay(cluster, receiverUrl, deliveries, { say, show });
    say("done; stopping everything");
  } finally {
    await jobhooks?.stop();
    receiver.close();
    await cluster.stop();
  }
}

main().then(
  () => say("stopped"),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
