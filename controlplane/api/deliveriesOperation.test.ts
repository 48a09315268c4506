import { expect } from "chai";
import { ApiError } from "../../contract/errors.js";
import { ErrorClass } from "../../contract/model.js";
import { ANONYMOUS, type Caller } from "../auth/Caller.js";
import { RuleAuth, serviceAccount, testService } from "../../test/support/serviceFixture.js";
import { processing } from "../../test/support/storeContract.js";
import { at, counter, webhook } from "../../test/support/watcherFixtures.js";
import { TriggerStatus } from "../watchers/model.js";
import { encodePageToken } from "../watchers/pageTokens.js";

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(ApiError);
  return err as ApiError;
}

describe("the deliveries operation (a watcher's attempt log)", () => {
  const admin: Caller = { ...ANONYMOUS, username: "admin" };
  const auth = new RuleAuth({
    admin: [{ verb: "get", resource: "jobdonewatchers" }],
    "system:serviceaccount:other:reader": [
      { verb: "get", resource: "jobdonewatchers", namespace: "other" },
    ],
  });
  let service: ReturnType<typeof testService>;

  // Watcher w1 (namespace ns) with `n` attempts of its delivery, a second apart.
  beforeEach(async () => {
    service = testService(auth);
    const { store } = service;
    await store.webhooks.insert(webhook("hook"));
    await processing(store, counter("w"));
    for (let n = 1; n <= 5; n++) {
      const startedAt = at(6000 + n * 1000);
      await store.watchers.recordAttempt({
        deliveryId: "msg_1",
        triggerId: "w2",
        watcherId: "w1",
        record: {
          status: TriggerStatus.NOT_CALLED,
          attempts: n,
          lastError: "HTTP 500",
          calledAt: startedAt,
        },
        retryAt: at(6500 + n * 1000),
        at: startedAt,
        log: {
          deliveryId: "msg_1",
          triggerId: "w2",
          watcherId: "w1",
          webhookId: "hook",
          startedAt,
          durationMs: n,
          host: "127.0.0.1:9",
          statusCode: 500,
          errorClass: ErrorClass.HTTP,
          error: "HTTP 500",
          responseBody: `attempt ${n}`,
          responseHeaders: {},
          outcome: "retry",
          nextAttemptAt: at(6500 + n * 1000),
          redelivery: false,
        },
      });
    }
  });
  afterEach(() => service.store.close());

  it("pages the attempts oldest first, with a token while more remain", async () => {
    const first = await service.watchers.deliveries(admin, "w1", { pageSize: 3 });
    expect(first.items.map((a) => a.responseBody)).to.deep.equal([
      "attempt 1",
      "attempt 2",
      "attempt 3",
    ]);
    expect(first.nextPageToken).not.to.equal("");
    const rest = await service.watchers.deliveries(admin, "w1", {
      pageSize: 3,
      pageToken: first.nextPageToken,
    });
    expect(rest.items.map((a) => a.responseBody)).to.deep.equal(["attempt 4", "attempt 5"]);
    expect(rest.nextPageToken).to.equal("");
    const all = await service.watchers.deliveries(admin, "w1", {});
    expect(all.items).to.have.length(5);
  });

  it("is read with the right to get the watcher, in its namespace", async () => {
    auth.asked.length = 0;
    await service.watchers.deliveries(admin, "w1", {});
    expect(auth.asked).to.deep.equal([
      { verb: "get", resource: "jobdonewatchers", namespace: "ns" },
    ]);
    const reader = serviceAccount("other", "reader");
    expect((await refusal(service.watchers.deliveries(reader, "w1", {}))).code).to.equal(
      "permission-denied",
    );
  });

  it("an unknown watcher is not found; a token of another list or watcher is a bad pageToken", async () => {
    expect((await refusal(service.watchers.deliveries(admin, "nope", {}))).code).to.equal(
      "not-found",
    );
    const forged = [
      "garbage",
      encodePageToken("watchers", { createdAt: 1, id: "1" }),
      encodePageToken("attempts", { createdAt: 1, id: "1" }, "w9"),
      encodePageToken("attempts", { createdAt: 1, id: "1 OR 1=1" }, "w1"),
    ];
    for (const pageToken of forged) {
      const err = await refusal(service.watchers.deliveries(admin, "w1", { pageToken }));
      expect(err.violations.map((v) => v.field)).to.deep.equal(["pageToken"]);
    }
  });
});
