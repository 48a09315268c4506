import { expect } from "chai";
import { ListWatchersResponse, JobDoneWatcher } from "../../proto/gen/jobhooks/v1/watchers.js";
import { ListWebhooksResponse, Webhook } from "../../proto/gen/jobhooks/v1/webhooks.js";
import { Outcome, TriggerStatus, WatcherStatus, type Watcher } from "../watchers/model.js";
import { takePage } from "../watchers/takePage.js";
import { toProtoWatcher, toProtoWebhook } from "./convert.js";
import { MAX_PAGE_SIZE, pageBounds } from "./pageBounds.js";

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
      watchers: watchers.map(toProtoWatcher),
      nextPageToken: "",
    }).finish().length;
    expect(all).to.be.greaterThan(GRPC_MESSAGE_LIMIT);

    const bounds = pageBounds(
      0,
      (w: Watcher) => JobDoneWatcher.encode(toProtoWatcher(w)).finish().length,
    );
    const page = takePage(watchers, bounds);
    expect(page.more).to.equal(true);
    expect(page.items.length).to.be.lessThan(MAX_PAGE_SIZE);
    const size = ListWatchersResponse.encode({
      watchers: page.items.map(toProtoWatcher),
      nextPageToken: "x".repeat(200),
    }).finish().length;
    expect(size).to.be.within(3 * 1024 * 1024 - 20_000, 3 * 1024 * 1024);
  });

  it("fits one webhook with a 1 MiB body and the longest url and description in a page", () => {
    const hook = {
      id: "00000000-0000-4000-8000-000000000000",
      url: `https://example.com/${"u".repeat(2020)}`,
      requestBody: "\u{10348}".repeat(256 * 1024),
      description: "\u{10348}".repeat(1024),
      secret: undefined,
      createdAt: new Date(),
    };
    const bounds = pageBounds(
      0,
      (w: typeof hook) => Webhook.encode(toProtoWebhook(w)).finish().length,
    );
    const page = takePage([hook, hook, hook, hook], bounds);
    expect(page.items.length).to.equal(2);
    const size = ListWebhooksResponse.encode({
      webhooks: page.items.map(toProtoWebhook),
      nextPageToken: "x".repeat(200),
    }).finish().length;
    expect(size).to.be.lessThan(GRPC_MESSAGE_LIMIT);
  });

  it("takes page_size as asked, 0 as the maximum, and no more than the maximum", () => {
    expect(pageBounds(5, () => 0).limit).to.equal(5);
    expect(pageBounds(0, () => 0).limit).to.equal(MAX_PAGE_SIZE);
    expect(pageBounds(MAX_PAGE_SIZE + 1, () => 0).limit).to.equal(MAX_PAGE_SIZE);
  });
});
