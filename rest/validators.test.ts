import { expect } from "chai";
import { ProblemError } from "./Problem.js";
import { check, validators } from "./validators.js";

// The fields a refusal of `body` names, [] when it is taken.
function refused(validate: Parameters<typeof check>[0], body: object): string[] {
  try {
    check(validate, body, "the request body");
    return [];
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    return err.problem.errors.map((e) => e.field);
  }
}

describe("request validators", () => {
  const url = "https://example.com/hook";

  it("takes a webhook's payload options, and one of requestBody and bodyTemplate only", () => {
    const hook = { url, bodyTemplate: "{{ job.name }}", headers: { "X-Team": "a\tb" } };
    expect(refused(validators.webhookCreate, { ...hook, cloudEvents: {} })).to.deep.equal([]);
    expect(
      refused(validators.webhookCreate, { ...hook, cloudEvents: { mode: "Structured" } }),
    ).to.deep.equal([]);
    // An empty requestBody is none.
    expect(refused(validators.webhookCreate, { ...hook, requestBody: "" })).to.deep.equal([]);
    expect(refused(validators.webhookCreate, { ...hook, requestBody: "x" })).to.deep.equal([
      "bodyTemplate",
    ]);
    expect(
      refused(validators.webhookCreate, { url, cloudEvents: { mode: "binary" } }),
    ).to.deep.equal(["cloudEvents.mode"]);
  });

  it("names each header that is no HTTP token, or one jobhooks sets itself, or a value with a line break", () => {
    const headers = {
      Host: "x",
      "webhook-id": "x",
      "Ce-Type": "x",
      "Content-type": "x",
      "bad name": "x",
      "X-Split": "a\r\nb",
      "X-Fine": "{{ job.name }}",
      "Webhooks-Are-Fine": "x",
    };
    expect(refused(validators.webhookCreate, { url, headers })).to.have.members([
      "headers.Host",
      "headers.webhook-id",
      "headers.Ce-Type",
      "headers.Content-type",
      "headers.bad name",
      "headers.X-Split",
    ]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, ""]));
    expect(refused(validators.webhookCreate, { url, headers: many })).to.deep.equal(["headers"]);
  });

  it("wants exactly one of webhookId, webhookName and clusterWebhookName per trigger", () => {
    const triggers = [
      { webhookId: "h1", timeoutSeconds: 5 },
      { webhookName: "chat" },
      { clusterWebhookName: "ops.example" },
      {},
      { webhookId: "h1", clusterWebhookName: "ops" },
      { webhookName: "Not_A_Name" },
    ];
    expect(
      refused(validators.watcherCreate, { jobName: "j", jobDoneTriggerWebhooks: triggers }),
    ).to.deep.equal([
      "jobDoneTriggerWebhooks[3].webhookId",
      "jobDoneTriggerWebhooks[4].webhookId",
      "jobDoneTriggerWebhooks[5].webhookName",
    ]);
    const sidecar = { jobDoneTriggerWebhooks: [{ webhookName: "chat" }] };
    expect(refused(validators.sidecarWatcherCreate, sidecar)).to.deep.equal([]);
  });
});
