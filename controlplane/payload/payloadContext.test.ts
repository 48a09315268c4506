import { expect } from "chai";
import { failedJob } from "../../test/support/payloadFixtures.js";
import { Outcome } from "../watchers/model.js";
import { payloadContext, type PayloadContextInput } from "./payloadContext.js";

function input(over: Partial<PayloadContextInput> = {}): PayloadContextInput {
  return {
    job: failedJob(),
    outcome: Outcome.FAILED,
    webhook: { kind: "ClusterWebhook", namespace: "", name: "pager" },
    watcherId: "w-1",
    eventId: "msg_1",
    time: new Date("2026-01-01T02:01:30Z"),
    ...over,
  };
}

describe("payloadContext", () => {
  it("tells the Job, the webhook, the watcher and the event as plain data", () => {
    expect(payloadContext(input())).to.deep.equal({
      job: {
        namespace: "reports",
        name: "nightly-report",
        uid: "u-1",
        labels: { team: "data" },
        annotations: { "jobhooks.dev/webhooks": "slack" },
        outcome: "failed",
        reason: "BackoffLimitExceeded",
        message: "Job has reached the specified backoff limit",
        createdAt: "2026-01-01T02:00:00.000Z",
        startTime: "2026-01-01T02:00:05.000Z",
        finishedAt: "2026-01-01T02:01:30.000Z",
        durationSeconds: 85,
        cronJobName: "nightly",
        failedPods: [
          {
            pod: "nightly-report-abcde",
            reason: "",
            containers: [{ name: "main", exitCode: 137, reason: "OOMKilled", message: "" }],
          },
        ],
      },
      webhook: { name: "pager", namespace: "", kind: "ClusterWebhook" },
      watcher: { id: "w-1" },
      event: { id: "msg_1", type: "job.failed", time: "2026-01-01T02:01:30.000Z" },
    });
  });

  it("says null for what is unknown and [] for no failed pods", () => {
    const job = failedJob({
      startTime: undefined,
      finishedAt: undefined,
      reason: undefined,
      message: undefined,
      cronJobName: undefined,
      annotations: undefined,
      failedPods: undefined,
    });
    const c = payloadContext(input({ job, outcome: Outcome.DELETED }));
    expect(c.job).to.include({
      outcome: "deleted",
      startTime: null,
      finishedAt: null,
      durationSeconds: null,
      reason: null,
      message: null,
      cronJobName: null,
    });
    expect(c.job.annotations).to.deep.equal({});
    expect(c.job.failedPods).to.deep.equal([]);
    expect(c.event.type).to.equal("job.deleted");
  });

  it("copies what it takes from the summary", () => {
    const job = failedJob();
    const c = payloadContext(input({ job }));
    expect(c.job.labels).to.not.equal(job.labels);
    expect(c.job.failedPods[0]).to.not.equal(job.failedPods?.[0]);
    expect(c.job.failedPods[0]?.containers[0]).to.not.equal(job.failedPods?.[0]?.containers[0]);
  });
});
