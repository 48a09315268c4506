import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { Webhook as Verifier } from "standardwebhooks";
import { generateSecret } from "../../controlplane/dispatcher/sign.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { deleteWebhookObjects, kubectlApply } from "../support/apply.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { CONTROLPLANE_NAMESPACE } from "../support/controlplaneAccount.js";
import {
  startControlplane,
  storePathOf,
  type ControlplaneProcess,
} from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import {
  jsonBody as json,
  sleep,
  webhookObject as webhook,
  WEBHOOKS_API as API,
} from "../support/webhookObjects.js";

// What a chat channel would be sent: one line about the Job, with why it failed.
const CHAT_TEMPLATE = `{% capture why %}{% for p in job.failedPods %}{% for c in p.containers %}: {{ c.reason }}, exit code {{ c.exitCode }}{% endfor %}{% endfor %}{% endcapture %}{"text": {{ job.name | append: " " | append: job.outcome | append: why | json }}}`;

describe("controlplane: Webhook objects and annotated Jobs @cluster", function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let receiver: Receiver;

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
    cp = await startControlplane(cluster, { args: ["--retry-base=50ms", "--retry-max=200ms"] });
  });

  after(async () => {
    await cp.stop();
    await receiver.stop();
    await deleteWebhookObjects(cluster);
  });

  it("notifies an annotated Job's webhook, with the failure in a templated body; one watcher per Job across a restart", async () => {
    const ns = await createTestNamespace(cluster, "annotated");
    await kubectlApply(cluster, [
      webhook(ns, "chat", { url: `${receiver.url}/${ns}/chat`, body: CHAT_TEMPLATE }),
    ]);
    await createJob(cluster, ns, "good", { annotations: { "jobhooks.dev/webhooks": "chat" } });
    await createJob(cluster, ns, "bad", {
      fail: true,
      annotations: {
        "jobhooks.dev/webhooks": "chat",
        "jobhooks.dev/notify-on": "succeeded,failed",
      },
    });
    const got = await receiver.waitFor(`/${ns}/chat`, 2, 60_000);
    const texts = got.map((r) => json(r).text as string).sort();
    expect(texts).to.deep.equal(["bad failed: Error, exit code 1", "good succeeded"]);
    expect(got[0]?.headers["content-type"]).to.equal("application/json");

    const described = await waitFor("the Delivered Event", async () => {
      const text = await cluster.kubectl(["describe", "job", "good", "-n", ns]);
      return text.includes("Delivered") ? text : undefined;
      const before = await cp.watchers.listWatchers({ namespace: ns });
      expect(before.watchers).to.have.length(2);
      await cp.stop();
      cp = await startControlplane(cluster, {
        storePath: storePathOf(cp),
        args: ["--retry-base=50ms", "--retry-max=200ms"],
      });
      await waitFor("the restarted controlplane to be ready", async () => {
        const r = await fetch(`http://${cp.healthAddress}/readyz`);
        return r.ok ? true : undefined;
      });
      await sleep(1500);
      const after = await cp.watchers.listWatchers({ namespace: ns });
      expect(after.watchers.map((w) => w.id).sort()).to.deep.equal(
        before.watchers.map((w) => w.id).sort(),
      );
      expect(receiver.on(`/${ns}/chat`)).to.have.length(2);
    });
    expect(described).to.match(new RegExp(`Webhook ${ns}/chat \\(${receiver.url}\\): delivered`));
  });

  it("lets a ClusterWebhook sign with a Secret of the controlplane's namespace, for the namespaces it names", async () => {
    const ns = await createTestNamespace(cluster, "cluster-hook");
    const other = await createTestNamespace(cluster, "not-allowed");
    const name = `ops-${ns}`;
    const key = generateSecret();
    await kubectlApply(cluster, [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: CONTROLPLANE_NAMESPACE },
        stringData: { token: key },
      },
      {
        apiVersion: API,
        kind: "ClusterWebhook",
        metadata: { name },
        spec: {
          url: `${receiver.url}/${ns}/ops`,
          signingSecretRef: { name, key: "token" },
          headers: { "X-Job": "{{ job.namespace }}/{{ job.name }}" },
          namespaces: [ns],
        },
      },
    ]);
    const annotations = { "jobhooks.dev/cluster-webhooks": name };
    await createJob(cluster, other, "refused", { annotations });
    await createJob(cluster, ns, "allowed", { annotations });
    const [r] = await receiver.waitFor(`/${ns}/ops`, 1, 60_000);
    expect(r?.headers["x-job"]).to.equal(`${ns}/allowed`);
    expect(() =>
      new Verifier(key).verify(r?.body ?? "", r?.headers as Record<string, string>),
    ).to.not.throw();
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const [warning] = await waitFor("the WebhookForbidden Event", async () => {
      const list = await core.listNamespacedEvent({ namespace: other });
      const found = list.items.filter((e) => e.reason === "WebhookForbidden");
      return found.length > 0 ? found : undefined;
    });
    expect(warning?.message).to.equal(
      `ClusterWebhook ${name} does not allow Jobs of namespace ${other} (spec.namespaces)`,
    );
    await sleep(1000);
    expect(receiver.on(`/${ns}/ops`)).to.have.length(1);
  });

  it("notifies each run of a CronJob once, whether its jobTemplate or the CronJob names the webhook", async () => {
    const ns = await createTestNamespace(cluster, "cron");
    const annotations = { "jobhooks.dev/webhooks": "runs" };
    const cronJob = (name: string, onTemplate: boolean): object => ({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name, namespace: ns, ...(!onTemplate && { annotations }) },
      spec: {
        schedule: "0 0 1 1 *",
        suspend: true,
        jobTemplate: {
          metadata: onTemplate ? { annotations } : {},
          spec: {
            backoffLimit: 0,
            template: {
              spec: {
                restartPolicy: "Never",
                containers: [{ name: "work", image: "busybox" }],
              },
            },
          },
        },
      },
    });
    await kubectlApply(cluster, [
      webhook(ns, "runs", { url: `${receiver.url}/${ns}/runs` }),
      cronJob("templated", true),
      cronJob("annotated", false),
    ]);
    for (const [cron, run] of [
      ["templated", "templated-1"],
      ["templated", "templated-2"],
      ["annotated", "annotated-1"],
      ["annotated", "annotated-2"],
    ] as const) {
      await cluster.kubectl(["create", "job", run, `--from=cronjob/${cron}`, "-n", ns]);
    }
    const got = await receiver.waitFor(`/${ns}/runs`, 4, 60_000);
    await sleep(1500);
    expect(receiver.on(`/${ns}/runs`)).to.have.length(4);
    const names = got.map((r) => (json(r).data as { job: { name: string } }).job.name).sort();
    expect(names).to.deep.equal(["annotated-1", "annotated-2", "templated-1", "templated-2"]);
  });
});
