import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { Receiver } from "../support/receiver.js";
import { exampleManifest, initScript, runInitScript } from "../support/seedExample.js";

interface WatcherJson {
  id: string;
  jobName: string;
  status: string;
  jobDoneTriggerWebhooks: { status: string }[];
}

describe("gateway: the k8s-job-webhooks examples, unchanged @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let ns: string;
  let gw: ControlplaneProcess;
  let receiver: Receiver;
  let batch: k8s.BatchV1Api;

  before(async () => {
    cluster = await sharedCluster();
    batch = cluster.kubeConfig.makeApiClient(k8s.BatchV1Api);
    ns = await createTestNamespace(cluster, "seed");
    receiver = await Receiver.start();
    // The examples name no namespace; the watchers land in the default one, here the test's.
    gw = await startControlplane(cluster, { role: "all", args: [`--default-namespace=${ns}`] });
  });

  after(async () => {
    await gw.stop();
    await receiver.stop();
  });

  async function createWebhook(path: string): Promise<string> {
    const res = await fetch(`${gw.restUrl}/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        url: receiver.url + path,
        requestBody: '{"done":true}',
        description: "seed",
      }),
    });
    expect(res.status).to.equal(201);
    return ((await res.json()) as { id: string }).id;
  }

  async function watchersOf(jobName: string): Promise<WatcherJson[]> {
    const res = await fetch(`${gw.restUrl}/job-done-watchers?jobName=${jobName}`);
    expect(res.status).to.equal(200);
    return (await res.json()) as WatcherJson[];
  }

  it("the example Job's init container registers its watcher, and the webhook is called when the Job completes", async () => {
    const webhookId = await createWebhook("/seed-job");
    const job = exampleManifest("seed-job.yaml") as k8s.V1Job;
    // The pod runs a while, as a real one would after its init container.
    job.spec!.template.metadata = { annotations: { "test.jobhooks.dev/run-ms": "2000" } };
    await batch.createNamespacedJob({ namespace: ns, body: job });
    await runInitScript(initScript(job.spec!.template), {
      jobName: "example-job",
      gatewayUrl: gw.restUrl,
      webhookId,
    });

    const [call] = await receiver.waitFor("/seed-job", 1);
    expect(call!.body).to.equal('{"done":true}');
    const [watcher] = await waitFor("the watcher to complete", async () => {
      const ws = await watchersOf("example-job");
      return ws[0]?.status === "COMPLETED" ? ws : undefined;
    });
    expect(watcher!.jobDoneTriggerWebhooks.map((t) => t.status)).to.deep.equal(["CALLED"]);
  });

  it("the example CronJob's two parallel pods register one watcher with Idempotency-Key: $JOB_NAME, and the webhook is called once", async () => {
    const webhookId = await createWebhook("/seed-cron");
    const cron = exampleManifest("seed-cronjob.yaml") as k8s.V1CronJob;
    cron.spec!.suspend = true;
    const created = await batch.createNamespacedCronJob({ namespace: ns, body: cron });
    // What the CronJob controller does at a scheduled time: a Job from the template, owned by it.
    const jobName = "example-cronjob-29384022";
    const template = cron.spec!.jobTemplate.spec!;
    template.template.metadata = { annotations: { "test.jobhooks.dev/run-ms": "2000" } };
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: {
          name: jobName,
          ownerReferences: [
            {
              apiVersion: "batch/v1",
              kind: "CronJob",
              name: "example-cronjob",
              uid: created.metadata!.uid!,
              controller: true,
            },
          ],
        },
        spec: template,
      },
    });
    const script = initScript(template.template);
    const runs = await Promise.all(
      [1, 2].map(() => runInitScript(script, { jobName, gatewayUrl: gw.restUrl, webhookId })),
    );
    expect(runs).to.have.length(2);

    const watchers = await watchersOf(jobName);
    expect(watchers).to.have.length(1);
    await waitFor("the watcher to complete", async () =>
      (await watchersOf(jobName))[0]?.status === "COMPLETED" ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.on("/seed-cron")).to.have.length(1);
  });
});
