// The second half of npm run demo: the declarative way. A ClusterWebhook (the chat example of
// manifests/examples, pointed at the demo's receiver) applied with kubectl, a Job that names it
// in its annotations, and the templated message arriving when the Job fails.
import type { IncomingMessage } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { manifestsDir, readObjects } from "../support/manifests.js";

interface Waiting {
  next(timeoutMs: number): Promise<IncomingMessage & { body: string }>;
}

export interface Output {
  say: (text: string) => void;
  show: (label: string, text: string) => void;
}

async function apply(cluster: TestCluster, objects: object[], { show }: Output): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-demo-"));
  try {
    const file = join(dir, "demo.yaml");
    writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
    show(`$ kubectl apply -f ${file}`, await cluster.kubectl(["apply", "-f", file]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function declarativeWay(
  cluster: TestCluster,
  receiverUrl: string,
  deliveries: Waiting,
  out: Output,
): Promise<void> {
  const { say, show } = out;
  say("the declarative way: a ClusterWebhook applied with kubectl, a Job that names it");
  const [chat] = readObjects(join(manifestsDir, "examples", "cluster-webhook-chat.yaml"));
  const spec = (chat as unknown as { spec: Record<string, unknown> }).spec;
  const webhook = {
    apiVersion: chat?.apiVersion,
    kind: chat?.kind,
    metadata: chat?.metadata,
    spec: { ...spec, url: `${receiverUrl}/chat`, namespaces: ["demo"] },
  };
  // kwok fails the pod after 2 s, as its stage for Job pods annotated so does.
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "nightly-report",
      namespace: "demo",
      annotations: {
        "jobhooks.dev/cluster-webhooks": "team-chat",
        "jobhooks.dev/notify-on": "succeeded,failed",
      },
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {
          annotations: { "test.jobhooks.dev/outcome": "fail", "test.jobhooks.dev/run-ms": "2000" },
        },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "report", image: "busybox", command: ["sh", "-c", "exit 1"] }],
        },
      },
    },
  };
  show(
    "the ClusterWebhook's template (manifests/examples/cluster-webhook-chat.yaml):",
    String(spec.body),
  );
  await apply(cluster, [webhook], out);
  await apply(cluster, [job], out);
  say("the Job's pod fails after 2 s; waiting for the message");
  const delivery = await deliveries.next(30_000);
  show(
    "webhook received:",
    `POST ${delivery.url ?? ""}\ncontent-type: ${String(delivery.headers["content-type"])}\n\n${delivery.body}`,
  );
  await waitFor("the ClusterWebhook's status to count the delivery", async () => {
    const o = JSON.parse(
      await cluster.kubectl(["get", "clusterwebhook", "team-chat", "-o", "json"]),
    ) as { status?: { delivered?: number } };
    return o.status?.delivered === 1 ? true : undefined;
  });
  show("$ kubectl get clusterwebhooks", await cluster.kubectl(["get", "clusterwebhooks"]));
  const described = await waitFor("the Job's Events", async () => {
    const text = await cluster.kubectl(["describe", "job", "nightly-report", "-n", "demo"]);
    return text.includes("Delivered") ? text : undefined;
  });
  show(
    "$ kubectl describe job nightly-report -n demo (its Events)",
    described.slice(described.indexOf("Events:")),
  );
}
