import { expect } from "chai";
import type { Watcher, WebhookView } from "../contract/model.js";
import { watcherJson, watcherRequest, webhookInput, webhookJson } from "./convert.js";
import { responseValidator } from "../test/support/responseValidator.js";

const at = new Date("2026-01-02T03:04:05.678Z");
const watcher: Watcher = {
  id: "w1",
  namespace: "team",
  jobName: "report",
  cronJobName: "",
  parentId: "",
  timeoutSeconds: 60,
  notifyOn: ["SUCCEEDED", "FAILED"],
  status: "PROCESSING",
  reason: "",
  message: "",
  jobUid: "u1",
  jobOutcome: undefined,
  createdAt: at,
  updatedAt: at,
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

describe("REST JSON ↔ the contract's types", () => {
  it("answers a watcher and a webhook as the document's response schemas say", () => {
    const json = watcherJson(watcher);
    expect(responseValidator("JobDoneWatcher")(json)).to.equal(true);
    expect(json).to.include({ jobOutcome: null, createdAt: "2026-01-02T03:04:05.678Z" });
    expect(json.jobDoneTriggerWebhooks[0]).to.include({ calledAt: null, status: "NOT_CALLED" });
    const ended = watcherJson({ ...watcher, status: "COMPLETED", jobOutcome: "SUCCEEDED" });
    expect(responseValidator("JobDoneWatcher")(ended)).to.equal(true);
    const hook: WebhookView = {
      id: "h1",
      url: "https://example.com/",
      requestBody: undefined,
      description: "",
      createdAt: at,
      signed: true,
      readOnly: false,
      disabled: false,
    };
    expect(responseValidator("Webhook")(webhookJson(hook))).to.equal(true);
    expect(webhookJson(hook).requestBody).to.equal("");
  });

  it("reads a body into a request, leaving out what the body leaves out", () => {
    expect(webhookInput({ url: "https://example.com/", requestBody: "" })).to.deep.equal({
      url: "https://example.com/",
      requestBody: undefined,
      description: undefined,
      secret: undefined,
    });
    const request = watcherRequest({
      jobName: "report",
      jobDoneTriggerWebhooks: [{ webhookId: "h1", timeoutSeconds: 5 }],
    });
    expect(request).to.include({ jobName: "report", namespace: undefined, notifyOn: undefined });
    expect(request.triggers).to.deep.equal([{ webhookId: "h1", timeoutSeconds: 5 }]);
  });

  it("answers a mirrored webhook's source and payload options, as the document says", () => {
    const hook: WebhookView = {
      id: "h2",
      url: "https://example.com/",
      requestBody: undefined,
      description: "",
      createdAt: at,
      signed: true,
      readOnly: true,
      disabled: false,
      source: { kind: "Webhook", namespace: "team", name: "chat" },
      bodyTemplate: "{{ job.name }}",
      headers: { "X-Team": "{{ job.namespace }}" },
      cloudEvents: { mode: "Binary" },
    };
    const json = webhookJson(hook);
    expect(responseValidator("Webhook")(json)).to.equal(true);
    expect(json).to.deep.include({
      requestBody: "",
      readOnly: true,
      source: { kind: "Webhook", namespace: "team", name: "chat" },
      bodyTemplate: "{{ job.name }}",
      headers: { "X-Team": "{{ job.namespace }}" },
      cloudEvents: { mode: "Binary" },
    });
    const plain = webhookJson({ ...hook, readOnly: false, source: undefined, headers: undefined });
    expect(plain).to.not.have.any.keys("source", "headers");
    expect(responseValidator("Webhook")(plain)).to.equal(true);
  });

  it("reads payload options, CloudEvents' mode Binary when left out, and triggers by name", () => {
    expect(
      webhookInput({
        url: "https://example.com/",
        bodyTemplate: "{{ job.name }}",
        headers: { "X-A": "1" },
        cloudEvents: {},
      }),
    ).to.deep.include({
      bodyTemplate: "{{ job.name }}",
      headers: { "X-A": "1" },
      cloudEvents: { mode: "Binary" },
    });
    const request = watcherRequest({
      jobName: "report",
      jobDoneTriggerWebhooks: [
        { webhookName: "chat" },
        { clusterWebhookName: "ops", timeoutSeconds: 5 },
      ],
    });
    expect(request.triggers).to.deep.equal([
      { webhookName: "chat", timeoutSeconds: undefined },
      { clusterWebhookName: "ops", timeoutSeconds: 5 },
    ]);
  });
});
