import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { TriggerStatus } from "../../proto/gen/jobhooks/v1/watchers.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver } from "../support/receiver.js";
import { finalWatcher, webhookTo } from "../support/watchers.js";

// The controlplane runs with the rights of manifests/rbac/controlplane.yaml (see
// startControlplane): an Event it may not write would be missing here.
describe("controlplane: Kubernetes Events on a Job for its deliveries @cluster", function () {
  this.timeout(120_000);
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
  });

  it("tells `kubectl describe job` of each attempt: retrying, delivered, refused", async () => {
    const ns = await createTestNamespace(cluster, "job-events");
    receiver.script(`/${ns}/flaky`, [{ status: 503 }, { status: 200 }]);
    receiver.script(`/${ns}/refuses`, [{ status: 400 }]);
    const flaky = await webhookTo(cp, `${receiver.url}/${ns}/flaky`);
    const refuses = await webhookTo(cp, `${receiver.url}/${ns}/refuses`);
    const w = await cp.watchers.createWatcher({
      namespace: ns,
      jobName: "told",
      triggers: [
        { webhookId: flaky, timeoutSeconds: 0 },
        { webhookId: refuses, timeoutSeconds: 0 },
      ],
    });
    await createJob(cluster, ns, "told");
    const done = await finalWatcher(cp, w.id, 60_000);
    expect(done.triggers.map((t) => t.status)).to.deep.equal([
      TriggerStatus.CALLED,
      TriggerStatus.FAILED,
    ]);

    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const events = await waitFor("three Events on the Job", async () => {
      const list = await core.listNamespacedEvent({
        namespace: ns,
        fieldSelector: "involvedObject.kind=Job,involvedObject.name=told",
      });
      const ours = list.items.filter((e) => e.reportingComponent === "jobhooks.dev/controlplane");
      return ours.length >= 3 ? ours : undefined;
    });
    const seen = events
      .map((e) => [e.type ?? "", e.reason ?? "", e.message ?? ""] as const)
      .sort((a, b) => a[1].localeCompare(b[1]));
    const origin = receiver.url;
    expect(seen.map(([type, reason]) => [type, reason])).to.deep.equal([
      ["Normal", "Delivered"],
      ["Warning", "DeliveryFailed"],
      ["Warning", "DeliveryRetrying"],
    ]);
    const [delivered, failed, retrying] = seen.map(([, , note]) => note);
    expect(delivered).to.equal(`webhook ${flaky} (${origin}): delivered on attempt 2`);
    expect(failed).to.match(
      new RegExp(`^webhook ${refuses} \\(${origin}\\): refused on attempt 1, not retried: .*400`),
    );
    expect(retrying).to.match(
      new RegExp(`^webhook ${flaky} \\(${origin}\\): .*503.*; attempt 1, next at \\d{4}-`),
    );
    // The path, which may hold a token, is not told.
    expect(seen.some(([, , note]) => note.includes("/flaky"))).to.equal(false);

    const described = await cluster.kubectl(["describe", "job", "told", "-n", ns]);
    for (const reason of ["Delivered", "DeliveryRetrying", "DeliveryFailed"]) {
      expect(described).to.contain(reason);
    }
  });

  it("writes none with --job-events=false", async () => {
    const ns = await createTestNamespace(cluster, "no-job-events");
    const quiet = await startControlplane(cluster, { args: ["--job-events=false"] });
    try {
      receiver.script(`/${ns}/refuses`, [{ status: 400 }]);
      const webhookId = await webhookTo(quiet, `${receiver.url}/${ns}/refuses`);
      const w = await quiet.watchers.createWatcher({
        namespace: ns,
        jobName: "quiet",
        triggers: [{ webhookId, timeoutSeconds: 0 }],
      });
      await createJob(cluster, ns, "quiet");
      const done = await finalWatcher(quiet, w.id, 60_000);
      expect(done.triggers.map((t) => t.status)).to.deep.equal([TriggerStatus.FAILED]);
      // With Events on, the first is written within milliseconds of the attempt (above).
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
      const list = await core.listNamespacedEvent({ namespace: ns });
      expect(
        list.items.filter((e) => e.reportingComponent === "jobhooks.dev/controlplane"),
      ).to.deep.equal([]);
      const metrics = await (await fetch(`http://${quiet.healthAddress}/metrics`)).text();
      expect(metrics).to.not.match(/^jobhooks_job_events_total\{/m);
    } finally {
      await quiet.stop();
    }
  });
});
