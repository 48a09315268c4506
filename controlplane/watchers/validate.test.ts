import { expect } from "chai";
import { Outcome, type WatcherSpec } from "./model.js";
import { LIMITS, validateWatcherSpec, validateWebhook } from "./validate.js";

const spec = (over: Partial<WatcherSpec> = {}): WatcherSpec => ({
  namespace: "default",
  jobName: "my-job",
  cronJobName: "",
  timeoutSeconds: 0,
  notifyOn: [Outcome.SUCCEEDED],
  triggers: [{ webhookId: "w", timeoutSeconds: 0 }],
  ...over,
});

const fields = (v: { field: string }[]): string[] => v.map((x) => x.field);

describe("validateWatcherSpec", () => {
  it("accepts a plain watcher and a CronJob watcher", () => {
    expect(validateWatcherSpec(spec(), undefined)).to.deep.equal([]);
    expect(validateWatcherSpec(spec({ jobName: "", cronJobName: "nightly" }), "k")).to.deep.equal(
      [],
    );
  });

  it("wants exactly one of jobName and cronJobName", () => {
    expect(fields(validateWatcherSpec(spec({ jobName: "" }), undefined))).to.deep.equal([
      "jobName",
    ]);
    expect(fields(validateWatcherSpec(spec({ cronJobName: "x" }), undefined))).to.deep.equal([
      "jobName",
    ]);
  });

  it("names every bad field", () => {
    const v = validateWatcherSpec(
      spec({
        namespace: "Bad",
        jobName: "a".repeat(64),
        timeoutSeconds: -1,
        triggers: [{ webhookId: "", timeoutSeconds: 1.5 }],
        notifyOn: ["NEVER" as Outcome],
      }),
      "k".repeat(256),
    );
    expect(fields(v)).to.have.members([
      "namespace",
      "jobName",
      "timeoutSeconds",
      "triggers[0].webhookId",
      "triggers[0].timeoutSeconds",
      "notifyOn[0]",
      "idempotencyKey",
    ]);
  });

  it("takes any idempotency key up to 255 characters, a job name is not required to be a UUID", () => {
    expect(validateWatcherSpec(spec(), "example-job-27384920 / run #4")).to.deep.equal([]);
  });

  it("keeps keys starting jobhooks.dev/ for the watchers of annotated Jobs", () => {
    expect(fields(validateWatcherSpec(spec(), "jobhooks.dev/job:1234"))).to.deep.equal([
      "idempotencyKey",
    ]);
    expect(validateWatcherSpec(spec(), "my.jobhooks.dev/job:1234")).to.deep.equal([]);
  });
});

describe("validateWebhook", () => {
  const hook = {
    url: "https://example.com/hook",
    requestBody: undefined,
    description: "",
    secret: undefined,
  };

  it("accepts http and https URLs", () => {
    expect(validateWebhook(hook)).to.deep.equal([]);
    expect(validateWebhook({ ...hook, url: "http://10.0.0.1:8080/x" })).to.deep.equal([]);
  });

  it("refuses other schemes, credentials, ports fetch refuses, bad secrets", () => {
    for (const url of [
      "ftp://example.com",
      "file:///etc/passwd",
      "not a url",
      "",
      "http://u:p@example.com/",
      "http://example.com:6000/",
    ]) {
      expect(fields(validateWebhook({ ...hook, url })), url).to.deep.equal(["url"]);
    }
    expect(fields(validateWebhook({ ...hook, secret: "whsec_short" }))).to.deep.equal(["secret"]);
    expect(
      fields(validateWebhook({ ...hook, requestBody: "x".repeat(1024 * 1024 + 1) })),
    ).to.deep.equal(["requestBody"]);
  });

  it("takes a payload's shape: a body template or a request body, bounded templates and headers", () => {
    const payload = { bodyTemplate: "{{ job.name }}", headers: { "X-A": "1" } };
    expect(validateWebhook({ ...hook, ...payload, cloudEvents: { mode: "Binary" } })).to.deep.equal(
      [],
    );
    expect(fields(validateWebhook({ ...hook, ...payload, requestBody: "x" }))).to.deep.equal([
      "bodyTemplate",
    ]);
    expect(
      fields(validateWebhook({ ...hook, bodyTemplate: "é".repeat(LIMITS.bodyTemplateLength + 1) })),
    ).to.deep.equal(["bodyTemplate"]);
    // Counted in characters, as the CRD's maxLength counts them.
    expect(
      validateWebhook({ ...hook, bodyTemplate: "é".repeat(LIMITS.bodyTemplateLength) }),
    ).to.deep.equal([]);
    const many = Object.fromEntries(
      Array.from({ length: LIMITS.headers + 1 }, (_, i) => [`X-${i}`, ""]),
    );
    expect(fields(validateWebhook({ ...hook, headers: many }))).to.deep.equal(["headers"]);
    const mode = { mode: "Streaming" as "Binary" };
    expect(fields(validateWebhook({ ...hook, cloudEvents: mode }))).to.deep.equal([
      "cloudEvents.mode",
    ]);
  });
});
