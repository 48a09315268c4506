import type { JobSummary } from "../../controlplane/jobwatch/jobSummary.js";
import { payloadContext, type PayloadContext } from "../../controlplane/payload/payloadContext.js";
import { Outcome } from "../../controlplane/watchers/model.js";

// A nightly report Job that failed, as payload templates see it.

export function failedJob(over: Partial<JobSummary> = {}): JobSummary {
  return {
    uid: "u-1",
    namespace: "reports",
    name: "nightly-report",
    resourceVersion: "7",
    createdAt: new Date("2026-01-01T02:00:00Z"),
    cronJobName: "nightly",
    finishedAt: new Date("2026-01-01T02:01:30Z"),
    reason: "BackoffLimitExceeded",
    message: "Job has reached the specified backoff limit",
    startTime: new Date("2026-01-01T02:00:05Z"),
    active: 0,
    succeeded: 0,
    failed: 1,
    labels: { team: "data" },
    annotations: { "jobhooks.dev/webhooks": "slack" },
    failedPods: [
      {
        pod: "nightly-report-abcde",
        reason: "",
        containers: [{ name: "main", exitCode: 137, reason: "OOMKilled", message: "" }],
      },
    ],
    ...over,
  };
}

export function failedContext(over: Partial<JobSummary> = {}): PayloadContext {
  return payloadContext({
    job: failedJob(over),
    outcome: Outcome.FAILED,
    webhook: { kind: "Webhook", namespace: "reports", name: "slack" },
    watcherId: "w-1",
    eventId: "msg_1",
    time: new Date("2026-01-01T02:01:30Z"),
  });
}
