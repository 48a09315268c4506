import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { HTTP } from "cloudevents";
import { Webhook as Verifier } from "standardwebhooks";
import { generateSecret } from "../../controlplane/dispatcher/sign.js";
import { mirroredId } from "../../controlplane/webhooks/webhookObject.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { waitFor } from "../cluster/wait.js";
import { deleteWebhookObjects, kubectlApply } from "../support/apply.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { CONTROLPLANE_NAMESPACE } from "../support/controlplaneAccount.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { createJob } from "../support/jobs.js";
import { Receiver, type ReceivedRequest } from "../support/receiver.js";
import { sleep, webhookObject as webhook } from "../support/webhookObjects.js";

describe("controlplane: Webhook objects: lifecycle, signing, refusals, CloudEvents @cluster", function () {
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

  it("reflects a Webhook applied, changed and deleted in the API, with its last delivery in its status", async () => {
    const ns = await createTestNamespace(cluster, "lifecycle");
    const id = mirroredId({ kind: "Webhook", namespace: ns, name: "hook" });
    const listed = async (): Promise<string | undefined> =>
      (await cp.webhooks.listWebhooks({})).webhooks.find((w) => w.id === id)?.url;
    await kubectlApply(cluster, [webhook(ns, "hook", { url: `${receiver.url}/${ns}/one` })]);
    await waitFor("the Webhook in the API", async () => ((await listed()) ? true : undefined));
    expect(await listed()).to.equal(`${receiver.url}/${ns}/one`);
    await kubectlApply(cluster, [webhook(ns, "hook", { url: `${receiver.url}/${ns}/two` })]);
    await waitFor("the new URL", async () =>
      (await listed()) === `${receiver.url}/${ns}/two` ? true : undefined,
    );
    await createJob(cluster, ns, "after-change", {
      annotations: { "jobhooks.dev/webhooks": "hook" },
    });
    await receiver.waitFor(`/${ns}/two`, 1, 60_000);
    const status = await waitFor("the Webhook's status to show the delivery", async () => {
      const o = JSON.parse(
        await cluster.kubectl(["get", "webhook", "hook", "-n", ns, "-o", "json"]),
      ) as { status?: { lastDelivery?: { result: string; job: string }; delivered?: number } };
      return o.status?.delivered === 1 ? o.status : undefined;
    });
    expect(status.lastDelivery).to.include({ result: "Delivered", job: `${ns}/after-change` });
    const table = await cluster.kubectl(["get", "webhooks", "-n", ns]);
    expect(table).to.match(/hook\s+http:\/\/127\.0\.0\.1:\d+\/\S+\/two\s+True/);

    await cluster.kubectl(["delete", "webhook", "hook", "-n", ns]);
    await waitFor("the Webhook gone from the API", async () =>
      (await listed()) === undefined ? true : undefined,
    );
  });

  it("signs with the Secret the Webhook names, with both of two during a rotation, then with the new one", async () => {
    const ns = await createTestNamespace(cluster, "signed");
    const first = generateSecret();
    const second = generateSecret();
    const secret = (value: string): object => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "signing", namespace: ns },
      stringData: { secret: value },
    });
    await kubectlApply(cluster, [
      secret(first),
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "jobhooks-webhook-secrets", namespace: ns },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "jobhooks-webhook-secrets",
        },
        subjects: [
          {
            kind: "ServiceAccount",
            name: "jobhooks-controlplane",
            namespace: CONTROLPLANE_NAMESPACE,
          },
        ],
      },
      webhook(ns, "signed", {
        url: `${receiver.url}/${ns}/signed`,
        signingSecretRef: { name: "signing" },
      }),
    ]);
    const annotations = { "jobhooks.dev/webhooks": "signed" };
    await createJob(cluster, ns, "one", { annotations });
    const [one] = await receiver.waitFor(`/${ns}/signed`, 1, 60_000);
    const headers = (r: ReceivedRequest | undefined): Record<string, string> =>
      r?.headers as Record<string, string>;
    expect(() => new Verifier(first).verify(one?.body ?? "", headers(one))).to.not.throw();

    // A rotation without a gap: both secrets in the key, space-separated, both sign.
    await kubectlApply(cluster, [secret(`${second} ${first}`)]);
    await sleep(1100);
    await createJob(cluster, ns, "two", { annotations });
    const [, two] = await receiver.waitFor(`/${ns}/signed`, 2, 60_000);
    expect(String(two?.headers["webhook-signature"]).split(" ")).to.have.length(2);
    for (const key of [first, second]) {
      expect(() => new Verifier(key).verify(two?.body ?? "", headers(two))).to.not.throw();
    }

    await kubectlApply(cluster, [secret(second)]);
    await sleep(1100);
    await createJob(cluster, ns, "three", { annotations });
    const [, , three] = await receiver.waitFor(`/${ns}/signed`, 3, 60_000);
    expect(() => new Verifier(second).verify(three?.body ?? "", headers(three))).to.not.throw();
    expect(() => new Verifier(first).verify(three?.body ?? "", headers(three))).to.throw();
  });

  it("does not sign with a Secret of a namespace that granted nothing: retries, says which RoleBinding, delivers once granted", async () => {
    const ns = await createTestNamespace(cluster, "ungranted");
    const key = generateSecret();
    await kubectlApply(cluster, [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "signing", namespace: ns },
        stringData: { secret: key },
      },
      webhook(ns, "signed", {
        url: `${receiver.url}/${ns}/signed`,
        signingSecretRef: { name: "signing" },
      }),
    ]);
    await createJob(cluster, ns, "waits", { annotations: { "jobhooks.dev/webhooks": "signed" } });
    const retrying = await waitFor("the Webhook's status to say it is retrying", async () => {
      const o = JSON.parse(
        await cluster.kubectl(["get", "webhook", "signed", "-n", ns, "-o", "json"]),
      ) as { status?: { lastDelivery?: { result: string; message: string } } };
      return o.status?.lastDelivery?.result === "Retrying" ? o.status.lastDelivery : undefined;
    });
    expect(retrying.message).to.equal(
      `signing Secret ${ns}/signing: the controlplane may not read Secrets in namespace ${ns}; grant it ClusterRole jobhooks-webhook-secrets with a RoleBinding there (docs/webhooks.md)`,
    );
    expect(receiver.on(`/${ns}/signed`), "nothing unsigned went out").to.deep.equal([]);

    await kubectlApply(cluster, [
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "jobhooks-webhook-secrets", namespace: ns },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "jobhooks-webhook-secrets",
        },
        subjects: [
          {
            kind: "ServiceAccount",
            name: "jobhooks-controlplane",
            namespace: CONTROLPLANE_NAMESPACE,
          },
        ],
      },
    ]);
    const [r] = await receiver.waitFor(`/${ns}/signed`, 1, 60_000);
    expect(() =>
      new Verifier(key).verify(r?.body ?? "", r?.headers as Record<string, string>),
    ).to.not.throw();
  });

  it("refuses a Webhook whose template does not parse, in its status, and warns a Job that names it", async () => {
    const ns = await createTestNamespace(cluster, "broken");
    await kubectlApply(cluster, [
      webhook(ns, "broken", { url: `${receiver.url}/${ns}/broken`, body: "{{ job.name" }),
    ]);
    const ready = await waitFor("the Ready condition", async () => {
      const o = JSON.parse(
        await cluster.kubectl(["get", "webhook", "broken", "-n", ns, "-o", "json"]),
      ) as {
        status?: {
          conditions?: { type: string; status: string; reason: string; message: string }[];
        };
      };
      return o.status?.conditions?.find((c) => c.type === "Ready");
    });
    expect(ready).to.include({ status: "False", reason: "InvalidSpec" });
    expect(ready.message).to.match(/^spec\.body: /);

    await createJob(cluster, ns, "names-broken", {
      annotations: { "jobhooks.dev/webhooks": "broken, absent" },
    });
    const core = cluster.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const warnings = await waitFor("the Warning Events", async () => {
      const list = await core.listNamespacedEvent({
        namespace: ns,
        fieldSelector: "involvedObject.kind=Job,involvedObject.name=names-broken",
      });
      const found = list.items.filter((e) => e.reason === "WebhookNotFound");
      return found.length >= 2 ? found : undefined;
    });
    expect(warnings.map((e) => e.message).sort()).to.deep.equal([
      `Webhook ${ns}/absent does not exist or its spec was never accepted (kubectl get webhooks)`,
      `Webhook ${ns}/broken does not exist or its spec was never accepted (kubectl get webhooks)`,
    ]);
    const described = await cluster.kubectl(["describe", "job", "names-broken", "-n", ns]);
    expect(described).to.contain("WebhookNotFound");
    expect(receiver.on(`/${ns}/broken`)).to.deep.equal([]);
  });

  it("sends CloudEvents in binary and structured mode that the SDK reads back", async () => {
    const ns = await createTestNamespace(cluster, "cloudevents");
    await kubectlApply(cluster, [
      webhook(ns, "binary", { url: `${receiver.url}/${ns}/binary`, cloudEvents: {} }),
      webhook(ns, "structured", {
        url: `${receiver.url}/${ns}/structured`,
        cloudEvents: { mode: "Structured" },
      }),
    ]);
    await createJob(cluster, ns, "ce", {
      annotations: { "jobhooks.dev/webhooks": "binary,structured" },
    });
    for (const mode of ["binary", "structured"]) {
      const [r] = await receiver.waitFor(`/${ns}/${mode}`, 1, 60_000);
      const event = HTTP.toEvent({ headers: r?.headers ?? {}, body: r?.body });
      if (Array.isArray(event)) throw new Error("one event expected");
      expect(event.type, mode).to.equal("dev.jobhooks.job.succeeded");
      expect(event.subject, mode).to.equal(`${ns}/ce`);
      expect((event.data as { job: { name: string } }).job.name, mode).to.equal("ce");
      expect(r?.headers["webhook-id"], mode).to.equal(event.id);
    }
    expect(receiver.on(`/${ns}/binary`)[0]?.headers["ce-specversion"]).to.equal("1.0");
    expect(receiver.on(`/${ns}/structured`)[0]?.headers["content-type"]).to.match(
      /^application\/cloudevents\+json/,
    );
  });
});
