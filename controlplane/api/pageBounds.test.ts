import { expect } from "chai";
import { ValidationError } from "../../contract/errors.js";
import { ListWatchersResponse, JobDoneWatcher } from "../../proto/gen/jobhooks/v1/watchers.js";
import { ListWebhooksResponse, Webhook } from "../../proto/gen/jobhooks/v1/webhooks.js";
import { LIMITS } from "../../contract/limits.js";
import { watcherToProto } from "../../proto/codec/watchers.js";
import { webhookToProto } from "../../proto/codec/webhooks.js";
import { Outcome, TriggerStatus, WatcherStatus, type Watcher } from "../watchers/model.js";
import { takePage, type PageBounds } from "../watchers/takePage.js";
import { jsonBytes, pageBounds } from "./pageBounds.js";
import { webhookView } from "./webhookOperations.js";

const MAX_PAGE_SIZE = LIMITS.pageSize;

// grpc-js's default limit on a received message.
const GRPC_MESSAGE_LIMIT = 4 * 1024 * 1024;

// The biggest watcher there can be: 32 triggers, each with a 200-character last error.
function bigWatcher(i: number): Watcher {
  const at = new Date(1_700_000_000_000 + i);
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    namespace: "n".repeat(63),
    jobName: "j".repeat(63),
    cronJobName: "",
    parentId: "",
    timeoutSeconds: 2_592_000,
    notifyOn: [Outcome.SUCCEEDED, Outcome.FAILED, Outcome.DELETED],
    status: WatcherStatus.PARTIALLY_COMPLETED,
    reason: "JobFinished",
    message: "",
    jobUid: "00000000-0000-4000-8000-000000000000",
    jobOutcome: Outcome.SUCCEEDED,
    createdAt: at,
    updatedAt: at,
    triggers: Array.from({ length: 32 }, (_, t) => ({
      id: `00000000-0000-4000-8000-${String(t).padStart(12, "0")}`,
      watcherId: "",
      webhookId: `00000000-0000-4000-8000-${String(t).padStart(12, "1")}`,
      timeoutSeconds: 2_592_000,
      status: TriggerStatus.FAILED,
      calledAt: at,
      attempts: 1000,
      lastError: "e".repeat(200),
    })),
  };
}

describe("pageBounds", () => {
  it("keeps a page of the biggest watchers under gRPC's message limit, where 1000 of them are not", () => {
    const watchers = Array.from({ length: MAX_PAGE_SIZE + 1 }, (_, i) => bigWatcher(i));
    const all = ListWatchersResponse.encode({
      watchers: watchers.map(watcherToProto),
      nextPageToken: "",
    }).finish().length;
    expect(all).to.be.greaterThan(GRPC_MESSAGE_LIMIT);

    const page = takePage(
      watchers,
      pageBounds({}, (w: Watcher) => w),
    );
    expect(page.more).to.equal(true);
    expect(page.items.length).to.be.lessThan(MAX_PAGE_SIZE);
    const size = ListWatchersResponse.encode({
      watchers: page.items.map(watcherToProto),
      nextPageToken: "x".repeat(LIMITS.pageTokenLength),
    }).finish().length;
    // The page is cut by its size as JSON, which protobuf never exceeds.
    expect(size).to.be.lessThan(LIMITS.pageBytes);
    expect(page.items.reduce((n, w) => n + jsonBytes(w), 0)).to.be.within(
      LIMITS.pageBytes - jsonBytes(watchers[0]),
      LIMITS.pageBytes,
    );
  });

  it("measures an item as JSON at least as big as its protobuf encoding", () => {
    const w = bigWatcher(1);
    expect(jsonBytes(w)).to.be.greaterThan(
      JobDoneWatcher.encode(watcherToProto(w)).finish().length,
    );
    const empty = { ...w, triggers: [], namespace: "", jobName: "", jobOutcome: undefined };
    expect(jsonBytes(empty)).to.be.greaterThan(
      JobDoneWatcher.encode(watcherToProto(empty)).finish().length,
    );
  });

  it("fits one webhook with a 1 MiB body and the longest url and description in a page", () => {
    const hook = {
      id: "00000000-0000-4000-8000-000000000000",
      url: `https://example.com/${"u".repeat(2020)}`,
      requestBody: "\u{10348}".repeat(256 * 1024),
      description: "\u{10348}".repeat(1024),
      secret: "whsec_x",
      createdAt: new Date(),
    };
    const page = takePage([hook, hook, hook, hook], pageBounds({}, webhookView));
    expect(page.items.length).to.equal(2);
    expect(jsonBytes(webhookView(hook))).to.be.at.least(
      Webhook.encode(webhookToProto(webhookView(hook))).finish().length,
    );
    const size = ListWebhooksResponse.encode({
      webhooks: page.items.map((h) => webhookToProto(webhookView(h))),
      nextPageToken: "x".repeat(LIMITS.pageTokenLength),
    }).finish().length;
    expect(size).to.be.lessThan(GRPC_MESSAGE_LIMIT);
  });

  it("takes pageSize as asked, absent or 0 as the maximum, no more than the maximum", () => {
    const bounds = (pageSize?: number): PageBounds<unknown> => pageBounds({ pageSize }, () => 0);
    expect(bounds(5).limit).to.equal(5);
    expect(bounds(0).limit).to.equal(MAX_PAGE_SIZE);
    expect(bounds(undefined).limit).to.equal(MAX_PAGE_SIZE);
    expect(bounds(MAX_PAGE_SIZE + 1).limit).to.equal(MAX_PAGE_SIZE);
    expect(() => bounds(-1)).to.throw(ValidationError);
  });
});
