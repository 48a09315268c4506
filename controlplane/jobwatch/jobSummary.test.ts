import type { V1Job, V1JobCondition } from "@kubernetes/client-node";
import { expect } from "chai";
import { JobOutcome, summarizeJob } from "./jobSummary.js";

const CREATED = "2025-01-02T03:04:05Z";
const STARTED = "2025-01-02T03:04:06Z";
const FINISHED = "2025-01-02T03:05:00Z";
const COMPLETED = "2025-01-02T03:05:01Z";

// Built as a watch event delivers it: timestamps are strings on the wire.
function job(status: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): V1Job {
  return JSON.parse(
    JSON.stringify({
      metadata: {
        uid: "u-1",
        name: "backup",
        namespace: "ops",
        resourceVersion: "42",
        creationTimestamp: CREATED,
        labels: { app: "backup" },
        managedFields: [{ manager: "kube-controller-manager" }],
        ...metadata,
      },
      spec: { template: { spec: { containers: [] } } },
      status,
    }),
  ) as V1Job;
}

function condition(type: string, status = "True"): V1JobCondition {
  return JSON.parse(
    JSON.stringify({
      type,
      status,
      reason: `${type}Reason`,
      message: `${type} message`,
      lastTransitionTime: FINISHED,
    }),
  ) as V1JobCondition;
}

function owner(controller: boolean, apiVersion = "batch/v1"): Record<string, unknown> {
  return {
    ownerReferences: [{ apiVersion, kind: "CronJob", name: "nightly", uid: "c-1", controller }],
  };
}

describe("summarizeJob", () => {
  it("keeps identity, counters and labels of a running Job, with no outcome", () => {
    const s = summarizeJob(job({ active: 1, startTime: STARTED }));
    expect(s).to.include({ uid: "u-1", name: "backup", namespace: "ops", resourceVersion: "42" });
    expect(s.createdAt.toISOString()).to.equal("2025-01-02T03:04:05.000Z");
    expect(s.startTime?.toISOString()).to.equal("2025-01-02T03:04:06.000Z");
    expect(s).to.include({ active: 1, succeeded: 0, failed: 0 });
    expect(s.labels).to.deep.equal({ app: "backup" });
    expect(s.outcome).to.equal(undefined);
    expect(s.finishedAt).to.equal(undefined);
    expect(s.reason).to.equal(undefined);
    expect(s).to.not.have.property("managedFields");
  });

  it("says SUCCEEDED for a Complete condition, with its time, reason and message", () => {
    const s = summarizeJob(
      job({ succeeded: 1, conditions: [condition("SuccessCriteriaMet"), condition("Complete")] }),
    );
    expect(s.outcome).to.equal(JobOutcome.SUCCEEDED);
    expect(s.finishedAt?.toISOString()).to.equal("2025-01-02T03:05:00.000Z");
    expect(s).to.include({ reason: "CompleteReason", message: "Complete message", succeeded: 1 });
  });

  it("says FAILED for a Failed condition", () => {
    const s = summarizeJob(job({ failed: 1, conditions: [condition("Failed")] }));
    expect(s.outcome).to.equal(JobOutcome.FAILED);
    expect(s).to.include({ reason: "FailedReason", message: "Failed message", failed: 1 });
  });

  it("falls back to completionTime when the condition has no transition time", () => {
    const complete = { type: "Complete", status: "True" };
    const s = summarizeJob(job({ conditions: [complete], completionTime: COMPLETED }));
    expect(s.outcome).to.equal(JobOutcome.SUCCEEDED);
    expect(s.finishedAt?.toISOString()).to.equal("2025-01-02T03:05:01.000Z");
  });

  it("does not count SuccessCriteriaMet alone as finished, whatever the pod counts say", () => {
    const s = summarizeJob(job({ succeeded: 1, conditions: [condition("SuccessCriteriaMet")] }));
    expect(s.outcome).to.equal(undefined);
    expect(s.finishedAt).to.equal(undefined);
  });

  it("does not count FailureTarget alone as finished", () => {
    const s = summarizeJob(job({ failed: 1, conditions: [condition("FailureTarget")] }));
    expect(s.outcome).to.equal(undefined);
  });

  it("ignores terminal conditions whose status is not True", () => {
    const s = summarizeJob(job({ conditions: [condition("Complete", "False")] }));
    expect(s.outcome).to.equal(undefined);
  });

  it("names the controlling CronJob", () => {
    expect(summarizeJob(job({}, owner(true))).cronJobName).to.equal("nightly");
  });

  it("ignores a CronJob owner that is not the controller, and other controllers", () => {
    expect(summarizeJob(job({}, owner(false))).cronJobName).to.equal(undefined);
    expect(summarizeJob(job({}, owner(true, "example.com/v1"))).cronJobName).to.equal(undefined);
  });

  it("accepts Dates, as list calls deliver them", () => {
    const j: V1Job = {
      metadata: { uid: "u", name: "n", namespace: "ns", creationTimestamp: new Date(CREATED) },
    };
    expect(summarizeJob(j).createdAt.toISOString()).to.equal("2025-01-02T03:04:05.000Z");
  });

  it("keeps the annotations but kubectl's last-applied-configuration", () => {
    const annotations = {
      "jobhooks.dev/webhooks": "slack",
      "kubectl.kubernetes.io/last-applied-configuration": "{}",
      team: "ops",
    };
    const s = summarizeJob(job({}, { annotations }));
    expect(s.annotations).to.deep.equal({ "jobhooks.dev/webhooks": "slack", team: "ops" });
  });

  it("defaults missing status and labels", () => {
    const s = summarizeJob({
      metadata: { uid: "u", name: "n", namespace: "ns", creationTimestamp: new Date(CREATED) },
    });
    expect(s).to.include({ active: 0, succeeded: 0, failed: 0, resourceVersion: "" });
    expect(s.labels).to.deep.equal({});
    expect(s.annotations).to.deep.equal({});
    expect(s.startTime).to.equal(undefined);
    expect(s.cronJobName).to.equal(undefined);
  });

  it("throws naming every missing identity field", () => {
    const j = job({}, { uid: undefined, namespace: undefined });
    expect(() => summarizeJob(j)).to.throw(
      /Job \?\/backup: missing metadata\.uid, metadata\.namespace$/,
    );
    expect(() => summarizeJob({})).to.throw(/missing metadata\.uid, metadata\.name/);
  });
});
