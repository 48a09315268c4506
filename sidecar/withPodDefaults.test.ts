import { expect } from "chai";
import { ProblemError } from "../rest/Problem.js";
import { withPodDefaults } from "./withPodDefaults.js";

const pod = { podName: "worker-0", namespace: "team", jobName: "report" };
const triggers = [{ webhookId: "w1" }];

describe("withPodDefaults", () => {
  it("fills in the pod's Job and namespace", () => {
    expect(withPodDefaults({ jobDoneTriggerWebhooks: triggers }, pod)).to.deep.equal({
      jobDoneTriggerWebhooks: triggers,
      jobName: "report",
      namespace: "team",
    });
  });

  it("keeps what the body names, and names no Job for a CronJob", () => {
    expect(withPodDefaults({ jobName: "other", namespace: "ns" }, pod)).to.deep.include({
      jobName: "other",
      namespace: "ns",
    });
    expect(withPodDefaults({ cronJobName: "nightly" }, pod)).to.deep.include({
      jobName: undefined,
      cronJobName: "nightly",
    });
  });

  it("refuses a body without a Job when the pod has none", () => {
    const noJob = { ...pod, jobName: undefined };
    expect(() => withPodDefaults({}, noJob))
      .to.throw(ProblemError, "JOB_NAME")
      .with.property("status", 400);
  });
});
