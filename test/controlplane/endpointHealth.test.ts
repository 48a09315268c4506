import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { TriggerStatus, WatcherStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { mirrored, putMirrored } from "../support/mirroredWebhooks.js";
import { restCaller } from "../support/restCall.js";
import { finalWatcher, watcherWhen } from "../support/watchers.js";

interface WebhookJson {
  id: string;
  disabled: boolean;
  disabledAt?: string;
  failingSince?: string;
}

// Endpoint health end to end: a receiver that keeps failing gets its webhook disabled after
// --disable-after (2 s here), its deliveries wait without an attempt, and enabling it sends
// every one that was owed.
describe("controlplane: a webhook failing too long is disabled, and enabled again @cluster", function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let receiver: Receiver;
  const call = restCaller(() => cp.restUrl);

  before(async () => {
    cluster = await sharedCluster();
    receiver = await Receiver.start();
    cp = await startControlplane(cluster, {
      role: "all",
      args: ["--disable-after=2s", "--retry-base=100ms", "--retry-max=300ms"],
    });
  });

  after(async () => {
    await cp.stop();
    await receiver.stop();
  });

  const metric = async (name: string): Promise<number | undefined> => {
    const text = await (await fetch(`http://${cp.healthAddress}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(" ")[1]);
  };
  const webhook = async (id: string): Promise<WebhookJson> =>
    (await call("GET", `/webhooks/${id}`, "/webhooks/{id}")).body as WebhookJson;
  const watchJob = async (ns: string, jobName: string, webhookId: string): Promise<string> => {
    const w = await cp.watchers.createWatcher({
      namespace: ns,
      jobName,
      triggers: [{ webhookId, timeoutSeconds: 0 }],
    });
    await createJob(cluster, ns, jobName);
    return w.id;
  };

  it("disables it after --disable-after, holds its deliveries, and sends them all once enabled", async () => {
    const ns = await createTestNamespace(cluster, "endpoint-health");
    const path = `/${ns}/down`;
    receiver.script(path, [{ status: 503 }]);
    const created = await call("POST", "/webhooks", "/webhooks", {
      body: { url: `${receiver.url}${path}` },
    });
    const id = (created.body as WebhookJson).id;
    expect(created.body).to.include({ disabled: false });
    const first = await watchJob(ns, "first", id);

    const disabled = await waitFor(
      "the webhook disabled",
      async () => {
        const w = await webhook(id);
        return w.disabled ? w : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const since = Date.parse(disabled.failingSince ?? "");
    expect(Date.parse(disabled.disabledAt ?? "") - since).to.be.at.least(2000);
    expect(await metric("jobhooks_webhooks_disabled")).to.equal(1);
    expect(await metric("jobhooks_webhook_disablings_total")).to.equal(1);

    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const event = await waitFor("the WebhookDisabled Event on the Job", async () => {
      const list = await core.listNamespacedEvent({
        namespace: ns,
        fieldSelector: "involvedObject.kind=Job,involvedObject.name=first",
      });
      return list.items.find((e) => e.reason === "WebhookDisabled");
    });
    expect(event.type).to.equal("Warning");
    expect(event.message).to.contain(`webhook ${id} (${receiver.url})`);
    expect(event.message).to.contain(`POST /webhooks/${id}/enable`);

    // Disabled: no attempt reaches the receiver, for the first Job nor for a new one.
    const attemptsBefore = receiver.on(path).length;
    const second = await watchJob(ns, "second", id);
    await watcherWhen(cp, second, (w) => w.status === WatcherStatus.PROCESSING, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.on(path).length).to.equal(attemptsBefore);
    for (const w of [first, second]) {
      const got = await cp.watchers.getWatcher({ id: w });
      expect(got.status).to.equal(WatcherStatus.PROCESSING);
      expect(got.triggers[0]?.status).to.equal(TriggerStatus.NOT_CALLED);
    }

    receiver.script(path, [{ status: 200 }]);
    const enabled = await call("POST", `/webhooks/${id}/enable`, "/webhooks/{id}/enable");
    expect(enabled.status).to.equal(200);
    expect(enabled.body).to.include({ disabled: false });
    expect(enabled.body).to.not.have.any.keys("disabledAt", "failingSince");
    for (const w of [first, second]) {
      const done = await finalWatcher(cp, w, 30_000);
      expect(done.triggers[0]?.status).to.equal(TriggerStatus.CALLED);
    }
    expect(receiver.on(path).length).to.equal(attemptsBefore + 2);
    expect(await metric("jobhooks_webhooks_disabled")).to.equal(0);
    // Enabling one that is not disabled is harmless; an unknown one is 404.
    const again = await call("POST", `/webhooks/${id}/enable`, "/webhooks/{id}/enable");
    expect(again.status).to.equal(200);
    const unknown = await call("POST", "/webhooks/nope/enable", "/webhooks/{id}/enable");
    expect(unknown.status).to.equal(404);
  });

  it("shows it in a Webhook object's status and Events, disabled and enabled again", async () => {
    const ns = await createTestNamespace(cluster, "object-health");
    const path = `/${ns}/object`;
    receiver.script(path, [{ status: 503 }]);
    const hook = mirrored(
      { kind: "Webhook", namespace: ns, name: "flaky" },
      undefined,
      `${receiver.url}${path}`,
    );
    await putMirrored(cluster, cp, hook);
    const w = await watchJob(ns, "object-job", hook.id);
    interface Condition {
      type: string;
      status: string;
      reason: string;
      message: string;
    }
    type Status = { conditions?: Condition[]; disabledAt?: string; failingSince?: string };
    const statusWhen = (what: string, ok: (s: Status) => boolean): Promise<Status> =>
      waitFor(
        what,
        async () => {
          const got = JSON.parse(
            await cluster.kubectl(["get", "webhook", "flaky", "-n", ns, "-o", "json"]),
          ) as { status?: Status };
          return got.status && ok(got.status) ? got.status : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    const disabledCondition = (s: Status): Condition | undefined =>
      s.conditions?.find((c) => c.type === "Disabled");

    const off = await statusWhen("Disabled True", (s) => disabledCondition(s)?.status === "True");
    expect(disabledCondition(off)).to.include({ reason: "FailingTooLong" });
    expect(disabledCondition(off)?.message).to.contain(`failing since ${off.failingSince ?? "?"}`);
    expect(off.disabledAt).to.be.a("string");
    expect(off.conditions?.find((c) => c.type === "Ready")?.status).to.equal("True");
    const table = await cluster.kubectl(["get", "webhooks", "flaky", "-n", ns]);
    expect(table.split("\n")[0]).to.contain("DISABLED");

    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const objectEvent = (reason: string): Promise<k8s.CoreV1Event> =>
      waitFor(`${reason} on the Webhook object`, async () => {
        const list = await core.listNamespacedEvent({
          namespace: ns,
          fieldSelector: "involvedObject.kind=Webhook,involvedObject.name=flaky",
        });
        return list.items.find((e) => e.reason === reason);
      });
    expect((await objectEvent("WebhookDisabled")).type).to.equal("Warning");

    receiver.script(path, [{ status: 200 }]);
    expect(
      (await call("POST", `/webhooks/${hook.id}/enable`, "/webhooks/{id}/enable")).status,
    ).to.equal(200);
    expect((await finalWatcher(cp, w, 30_000)).triggers[0]?.status).to.equal(TriggerStatus.CALLED);
    const on = await statusWhen("Disabled False", (s) => disabledCondition(s)?.status === "False");
    expect(on).to.not.have.any.keys("disabledAt", "failingSince");
    expect((await objectEvent("WebhookEnabled")).type).to.equal("Normal");
    const described = await cluster.kubectl(["describe", "webhook", "flaky", "-n", ns]);
    expect(described).to.contain("WebhookDisabled").and.contain("WebhookEnabled");
  });
});
