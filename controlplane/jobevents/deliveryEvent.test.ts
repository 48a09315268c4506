import { expect } from "chai";
import { at, counter, inserted, spec } from "../../test/support/watcherFixtures.js";
import type { AttemptStep } from "../dispatcher/decideAttempt.js";
import type { AttemptRecord } from "../store/WatcherRepo.js";
import { TriggerStatus, type Delivery, type Watcher } from "../watchers/model.js";
import { deliveryEvent } from "./deliveryEvent.js";

describe("deliveryEvent", () => {
  const watcher: Watcher = { ...inserted(spec(), counter("w")).watcher, jobUid: "uid-1" };
  const [trigger] = watcher.triggers;
  if (!trigger) throw new Error("the fixture has a trigger");
  const delivery: Delivery = {
    id: "msg_1",
    triggerId: trigger.id,
    watcherId: watcher.id,
    webhookId: watcher.triggers[0]?.webhookId ?? "wh",
    url: "https://hooks.example/secret-token?key=abc",
    destination: "https://hooks.example",
    body: "{}",
    contentType: "application/json",
    secret: undefined,
    deadlineAt: at(60_000),
    nextAttemptAt: at(0),
    attempts: 0,
    createdAt: at(0),
  };
  const record = (status: TriggerStatus, attempts: number, lastError = ""): AttemptRecord => ({
    status,
    attempts,
    lastError,
    calledAt: at(1000),
  });
  const job = { namespace: "ns", name: "job", uid: "uid-1" };

  it("tells each outcome on the watcher's Job, naming the webhook and the URL's origin only", () => {
    const steps: [AttemptStep, string, string, string][] = [
      [
        { outcome: "delivered", record: record(TriggerStatus.CALLED, 1) },
        "Normal",
        "Delivered",
        "webhook hook (https://hooks.example): delivered on attempt 1",
      ],
      [
        {
          outcome: "retry",
          retryAt: at(5000),
          record: record(TriggerStatus.NOT_CALLED, 2, "HTTP 503"),
        },
        "Warning",
        "DeliveryRetrying",
        `webhook hook (https://hooks.example): HTTP 503; attempt 2, next at ${at(5000).toISOString()}`,
      ],
      [
        { outcome: "rejected", record: record(TriggerStatus.FAILED, 1, "HTTP 410") },
        "Warning",
        "DeliveryFailed",
        "webhook hook (https://hooks.example): refused on attempt 1, not retried: HTTP 410",
      ],
      [
        { outcome: "timeout", record: record(TriggerStatus.TIMEOUT, 7, "timed out") },
        "Warning",
        "DeliveryFailed",
        "webhook hook (https://hooks.example): gave up after attempt 7: timed out",
      ],
    ];
    for (const [step, type, reason, note] of steps) {
      expect(deliveryEvent(delivery, step, watcher)).to.deep.equal({ job, type, reason, note });
    }
  });

  it("tells nothing for a watcher gone or not bound, and cuts a long error to 1 KiB", () => {
    const step: AttemptStep = { outcome: "delivered", record: record(TriggerStatus.CALLED, 1) };
    expect(deliveryEvent(delivery, step, undefined)).to.equal(undefined);
    expect(deliveryEvent(delivery, step, { ...watcher, jobUid: "" })).to.equal(undefined);
    const long: AttemptStep = {
      outcome: "rejected",
      record: record(TriggerStatus.FAILED, 1, "x".repeat(5000)),
    };
    expect(deliveryEvent(delivery, long, watcher)?.note).to.have.length(1024);
  });
});
