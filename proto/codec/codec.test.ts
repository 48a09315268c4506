import { expect } from "chai";
import { ValidationError } from "../../contract/errors.js";
import type { Watcher, WebhookInput, WebhookView } from "../../contract/model.js";
import { JobOutcome, WatcherStatus } from "../gen/jobhooks/v1/watchers.js";
import {
  watcherFilterFromProto,
  watcherFromProto,
  watcherRequestFromProto,
  watcherRequestToProto,
  watcherToProto,
} from "./watchers.js";
import { CloudEventsMode, WebhookKind } from "../gen/jobhooks/v1/webhooks.js";
import {
  webhookFromProto,
  webhookInputFromProto,
  webhookInputToProto,
  webhookToProto,
} from "./webhooks.js";

const watcher: Watcher = {
  id: "w1",
  namespace: "ns",
  jobName: "job",
  cronJobName: "",
  parentId: "",
  timeoutSeconds: 60,
  notifyOn: ["SUCCEEDED", "FAILED"],
  status: "PROCESSING",
  reason: "JobFinished",
  message: "",
  jobUid: "uid",
  jobOutcome: "FAILED",
  createdAt: new Date(1000),
  updatedAt: new Date(2000),
  triggers: [
    {
      id: "t1",
      watcherId: "w1",
      webhookId: "h1",
      timeoutSeconds: 0,
      status: "NOT_CALLED",
      calledAt: undefined,
      attempts: 0,
      lastError: "",
    },
  ],
};

describe("proto codec", () => {
  it("carries a watcher and a webhook to protobuf and back unchanged", () => {
    expect(watcherFromProto(watcherToProto(watcher))).to.deep.equal(watcher);
    const pending = { ...watcher, jobOutcome: undefined, status: "PENDING" as const };
    expect(watcherFromProto(watcherToProto(pending))).to.deep.equal(pending);
    const hook = {
      id: "h1",
      url: "http://127.0.0.1/x",
      requestBody: undefined,
      description: "d",
      createdAt: new Date(5),
      signed: true,
      readOnly: false,
      disabled: false,
    };
    expect(webhookFromProto(webhookToProto(hook))).to.deep.equal(hook);
    const failing = {
      ...hook,
      disabled: true,
      disabledAt: new Date(9),
      failingSince: new Date(7),
      previousSecretExpiresAt: new Date(11),
    };
    expect(webhookFromProto(webhookToProto(failing))).to.deep.equal(failing);
  });

  it("reads a create request's absent fields as absent, and refuses an UNSPECIFIED outcome", () => {
    const wire = watcherRequestToProto({ jobName: "j", triggers: [{ webhookId: "h" }] }, "k");
    const { request, idempotencyKey } = watcherRequestFromProto(wire);
    expect(idempotencyKey).to.equal("k");
    expect(request.namespace).to.equal(undefined);
    expect(request.notifyOn).to.equal(undefined);
    expect(request.triggers).to.deep.equal([{ webhookId: "h", timeoutSeconds: 0 }]);
    expect(() => watcherRequestFromProto({ ...wire, notifyOn: [JobOutcome.UNSPECIFIED] })).to.throw(
      ValidationError,
    );
  });

  it("reads a list filter: UNSPECIFIED is none, an unknown status is refused", () => {
    const base = { namespace: "", jobName: "", pageSize: 0, pageToken: "" };
    expect(watcherFilterFromProto({ ...base, status: WatcherStatus.UNSPECIFIED }).status).to.equal(
      undefined,
    );
    expect(() =>
      watcherFilterFromProto({ ...base, status: "NOPE" as unknown as WatcherStatus }),
    ).to.throw(ValidationError);
  });

  it("carries a mirrored webhook's source and payload options both ways", () => {
    const hook: WebhookView = {
      id: "h2",
      url: "https://example.com/",
      requestBody: undefined,
      description: "",
      createdAt: new Date(5),
      signed: true,
      readOnly: true,
      disabled: false,
      source: { kind: "ClusterWebhook", namespace: "", name: "ops" },
      bodyTemplate: "{{ job.name }}",
      headers: { "X-Team": "{{ job.namespace }}" },
      cloudEvents: { mode: "Structured" },
    };
    const wire = webhookToProto(hook);
    expect(wire).to.deep.include({
      readOnly: true,
      source: { kind: WebhookKind.CLUSTER_WEBHOOK, namespace: "", name: "ops" },
      cloudEvents: { mode: CloudEventsMode.STRUCTURED },
    });
    expect(webhookFromProto(wire)).to.deep.equal(hook);
    const namespaced = {
      ...hook,
      source: { kind: "Webhook" as const, namespace: "team", name: "chat" },
    };
    expect(webhookFromProto(webhookToProto(namespaced))).to.deep.equal(namespaced);
  });

  it("reads a create request's payload options: empty ones absent, an UNSPECIFIED mode Binary, an unknown one refused", () => {
    const input: WebhookInput = {
      url: "https://example.com/",
      description: "d",
      bodyTemplate: "{{ job.name }}",
      headers: { "X-A": "1" },
      cloudEvents: { mode: "Binary" },
    };
    expect(webhookInputFromProto(webhookInputToProto(input))).to.deep.include(input);
    const bare = webhookInputToProto({
      url: "https://example.com/",
      bodyTemplate: "",
      headers: {},
    });
    const read = webhookInputFromProto(bare);
    expect(read).to.not.have.any.keys("bodyTemplate", "headers", "cloudEvents");
    const unspecified = { ...bare, cloudEvents: { mode: CloudEventsMode.UNSPECIFIED } };
    expect(webhookInputFromProto(unspecified).cloudEvents).to.deep.equal({ mode: "Binary" });
    expect(() =>
      webhookInputFromProto({
        ...bare,
        cloudEvents: { mode: "NOPE" as unknown as CloudEventsMode },
      }),
    ).to.throw(ValidationError);
  });

  it("carries a trigger's names to protobuf and back, leaving out those not given", () => {
    const wire = watcherRequestToProto(
      {
        jobName: "j",
        triggers: [{ webhookName: "chat", timeoutSeconds: 5 }, { clusterWebhookName: "ops" }],
      },
      undefined,
    );
    expect(wire.triggers[0]).to.deep.equal({
      webhookId: "",
      webhookName: "chat",
      clusterWebhookName: "",
      timeoutSeconds: 5,
    });
    expect(watcherRequestFromProto(wire).request.triggers).to.deep.equal([
      { webhookName: "chat", timeoutSeconds: 5 },
      { clusterWebhookName: "ops", timeoutSeconds: 0 },
    ]);
  });
});
