import { expect } from "chai";
import { Status } from "nice-grpc";
import type { BadRequest, PreconditionFailure } from "nice-grpc-error-details";
import { CloudEventsMode, WebhookKind } from "../../proto/gen/jobhooks/v1/webhooks.js";
import type { TestCluster } from "../cluster/TestCluster.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";
import { deleteWebhookObjects } from "../support/apply.js";
import { mirrored, putMirrored } from "../support/mirroredWebhooks.js";

interface GrpcError {
  code: Status;
  details: string;
  extra?: unknown[];
}

// Duck-typed, as in api.test.ts: ClientError is loaded twice (ESM and CommonJS).
async function grpcError(p: Promise<unknown>): Promise<GrpcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (typeof err !== "object" || err === null || !("code" in err) || !("details" in err)) {
    throw new Error(`expected a gRPC error, got ${String(err)}`);
  }
  return err as GrpcError;
}

// The field violations of an error's google.rpc.BadRequest, by the proto's names.
function violationFields(err: GrpcError): string[] {
  const badRequest = (err.extra ?? []).find(
    (d): d is BadRequest => typeof d === "object" && d !== null && "fieldViolations" in d,
  );
  return badRequest?.fieldViolations.map((v) => v.field) ?? [];
}

function preconditions(err: GrpcError): PreconditionFailure["violations"] {
  const failure = (err.extra ?? []).find(
    (d): d is PreconditionFailure => typeof d === "object" && d !== null && "violations" in d,
  );
  return failure?.violations ?? [];
}

describe("controlplane: gRPC API of mirrored webhooks and payload options @cluster", function () {
  this.timeout(20 * 60_000);
  let cluster: TestCluster;
  let cp: ControlplaneProcess;
  let ns: string;
  let chat: ReturnType<typeof mirrored>;
  let narrow: ReturnType<typeof mirrored>;

  before(async () => {
    cluster = await sharedCluster();
    ns = await createTestNamespace(cluster, "mirrored-api");
    cp = await startControlplane(cluster);
    chat = mirrored(
      { kind: "Webhook", namespace: ns, name: "chat" },
      { headers: { "X-Team": "{{ job.namespace }}" }, cloudEvents: { mode: "Binary" } },
    );
    narrow = mirrored(
      { kind: "ClusterWebhook", namespace: "", name: `narrow-${ns}` },
      { namespaces: ["prod"] },
    );
    await putMirrored(cluster, cp, chat, narrow);
  });

  after(async () => {
    await cp.stop();
    await deleteWebhookObjects(cluster);
  });

  it("creates a webhook with a body template, headers and CloudEvents, and reads them back", async () => {
    const created = await cp.webhooks.createWebhook({
      url: "http://127.0.0.1:59999/templated",
      description: "",
      bodyTemplate: "{{ job.name }}",
      headers: { "X-A": "1" },
      cloudEvents: { mode: CloudEventsMode.UNSPECIFIED },
    });
    expect(created).to.deep.include({
      bodyTemplate: "{{ job.name }}",
      headers: { "X-A": "1" },
      cloudEvents: { mode: CloudEventsMode.BINARY },
      readOnly: false,
      source: undefined,
    });
    expect(await cp.webhooks.getWebhook({ id: created.id })).to.deep.equal(created);
    const both = await grpcError(
      cp.webhooks.createWebhook({
        url: "http://127.0.0.1:59999/",
        description: "",
        requestBody: "x",
        bodyTemplate: "{{ job.name }}",
      }),
    );
    expect(both.code).to.equal(Status.INVALID_ARGUMENT);
    expect(violationFields(both)).to.deep.equal(["body_template"]);
  });

  it("answers a mirrored webhook read_only with its source, and refuses DeleteWebhook", async () => {
    const hook = await cp.webhooks.getWebhook({ id: chat.id });
    expect(hook).to.deep.include({
      readOnly: true,
      source: { kind: WebhookKind.WEBHOOK, namespace: ns, name: "chat" },
      headers: { "X-Team": "{{ job.namespace }}" },
      cloudEvents: { mode: CloudEventsMode.BINARY },
    });
    const refused = await grpcError(cp.webhooks.deleteWebhook({ id: chat.id }));
    expect(refused.code).to.equal(Status.FAILED_PRECONDITION);
    expect(refused.details).to.equal(
      `webhook ${chat.id} mirrors Webhook ${ns}/chat: change or delete it with kubectl`,
    );
    expect(preconditions(refused)[0]).to.include({
      type: "WEBHOOK_MIRRORED",
      subject: `namespaces/${ns}/webhooks.jobhooks.dev/chat`,
    });
  });

  it("resolves webhook_name to the mirrored id; cluster_webhook_name out of its namespaces is PERMISSION_DENIED", async () => {
    const base = { namespace: ns, jobName: "named", cronJobName: "", timeoutSeconds: 0 };
    const trigger = { webhookId: "", webhookName: "", clusterWebhookName: "", timeoutSeconds: 0 };
    const w = await cp.watchers.createWatcher({
      ...base,
      triggers: [{ ...trigger, webhookName: "chat" }],
    });
    expect(w.triggers.map((t) => t.webhookId)).to.deep.equal([chat.id]);

    const denied = await grpcError(
      cp.watchers.createWatcher({
        ...base,
        triggers: [{ ...trigger, clusterWebhookName: `narrow-${ns}` }],
      }),
    );
    expect(denied.code).to.equal(Status.PERMISSION_DENIED);
    expect(denied.details).to.contain(
      `ClusterWebhook narrow-${ns} serves only Jobs in namespaces prod`,
    );
    expect(violationFields(denied)).to.deep.equal(["triggers[0].cluster_webhook_name"]);

    const missing = await grpcError(
      cp.watchers.createWatcher({ ...base, triggers: [{ ...trigger, webhookName: "nope" }] }),
    );
    expect(missing.code).to.equal(Status.NOT_FOUND);
    expect(violationFields(missing)).to.deep.equal(["triggers[0].webhook_name"]);

    const two = await grpcError(
      cp.watchers.createWatcher({
        ...base,
        triggers: [{ ...trigger, webhookId: chat.id, webhookName: "chat" }],
      }),
    );
    expect(two.code).to.equal(Status.INVALID_ARGUMENT);
    expect(violationFields(two)).to.deep.equal(["triggers[0]"]);
  });
});
