import { expect } from "chai";
import { ValidationError } from "../../contract/errors.js";
import type { Watcher } from "../../contract/model.js";
import { JobOutcome, WatcherStatus } from "../gen/jobhooks/v1/watchers.js";
import {
  watcherFilterFromProto,
  watcherFromProto,
  watcherRequestFromProto,
  watcherRequestToProto,
  watcherToProto,
} from "./watchers.js";
import { webhookFromProto, webhookToProto } from "./webhooks.js";

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
    };
    expect(webhookFromProto(webhookToProto(hook))).to.deep.equal(hook);
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
});
