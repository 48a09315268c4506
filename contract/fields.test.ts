import { expect } from "chai";
import { domainFieldName, fieldName } from "./fields.js";

describe("fieldName", () => {
  it("names a domain path for proto and for REST, indices kept", () => {
    expect(fieldName("triggers[3].webhookId", "proto")).to.equal("triggers[3].webhook_id");
    expect(fieldName("triggers[3].webhookId", "rest")).to.equal(
      "jobDoneTriggerWebhooks[3].webhookId",
    );
    expect(fieldName("pageToken", "rest")).to.equal("continue");
    expect(fieldName("idempotencyKey", "rest")).to.equal("Idempotency-Key");
    expect(fieldName("namespace", "proto")).to.equal("namespace");
    expect(fieldName("triggers[0].clusterWebhookName", "proto")).to.equal(
      "triggers[0].cluster_webhook_name",
    );
    expect(fieldName("cloudEvents.mode", "proto")).to.equal("cloud_events.mode");
  });

  it("reads a transport's name back into the domain's", () => {
    for (const path of [
      "triggers[0].timeoutSeconds",
      "triggers[1].webhookName",
      "triggers[2].clusterWebhookName",
      "notifyOn[2]",
      "cronJobName",
      "url",
      "bodyTemplate",
      "cloudEvents.mode",
    ]) {
      for (const naming of ["proto", "rest"] as const) {
        expect(domainFieldName(fieldName(path, naming), naming), `${path} ${naming}`).to.equal(
          path,
        );
      }
    }
  });
});
