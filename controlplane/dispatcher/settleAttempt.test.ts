import { expect } from "chai";
import { at, spec, watcher, withStatus } from "../../test/support/watcherFixtures.js";
import { TriggerStatus, WatcherStatus, type Delivery } from "../watchers/model.js";
import type { AttemptStep } from "./decideAttempt.js";
import { settleAttempt, settlesWatcher } from "./settleAttempt.js";

const NOW = at(20_000);
const record = (status: TriggerStatus): AttemptStep["record"] => ({
  status,
  attempts: 2,
  lastError: status === TriggerStatus.CALLED ? "" : "HTTP 500",
  calledAt: NOW,
});
const delivery: Delivery = {
  id: "msg_1",
  triggerId: "w1.t1",
  watcherId: "w1",
  webhookId: "wh",
  url: "http://127.0.0.1:9/hook",
  destination: "http://127.0.0.1:9",
  body: "{}",
  contentType: "application/json",
  secret: undefined,
  deadlineAt: at(60_000),
  nextAttemptAt: at(10_000),
  attempts: 1,
  createdAt: at(10_000),
};
const w = withStatus(watcher("w1", spec(), { jobUid: "u" }), WatcherStatus.PROCESSING);
const base = { deliveryId: "msg_1", triggerId: "w1.t1", watcherId: "w1", at: NOW };

describe("settleAttempt", () => {
  it("a retry keeps the row, due at its time, and counts the attempt", () => {
    const step: AttemptStep = {
      outcome: "retry",
      retryAt: at(25_000),
      record: record(TriggerStatus.NOT_CALLED),
    };
    expect(settleAttempt(delivery, step, { watcher: w, others: [w] }, NOW)).to.deep.equal({
      ...base,
      record: step.record,
      retryAt: at(25_000),
    });
  });

  it("delivered: the watcher COMPLETED, its Job owed the label", () => {
    const step: AttemptStep = { outcome: "delivered", record: record(TriggerStatus.CALLED) };
    expect(settleAttempt(delivery, step, { watcher: w, others: [w] }, NOW)).to.deep.equal({
      ...base,
      record: step.record,
      watcherStatus: WatcherStatus.COMPLETED,
      label: { uid: "u", namespace: "ns", name: "job" },
    });
  });

  it("timed out with another watcher of the Job open: FAILED, no label", () => {
    const step: AttemptStep = { outcome: "timeout", record: record(TriggerStatus.TIMEOUT) };
    const other = withStatus(watcher("w2"), WatcherStatus.PENDING, "u");
    expect(settleAttempt(delivery, step, { watcher: w, others: [w, other] }, NOW)).to.deep.equal({
      ...base,
      record: step.record,
      watcherStatus: WatcherStatus.FAILED,
    });
  });

  it("a watcher that is gone: only the row and the trigger", () => {
    const step: AttemptStep = { outcome: "rejected", record: record(TriggerStatus.FAILED) };
    expect(settleAttempt(delivery, step, { watcher: undefined, others: [] }, NOW)).to.deep.equal({
      ...base,
      record: step.record,
    });
  });

  describe("a redelivery (an ended trigger's message sent again)", () => {
    const again: Delivery = { ...delivery, redelivery: true, attempts: 0 };
    const ended = withStatus(w, WatcherStatus.FAILED);

    it("reads no watcher, whatever its result", () => {
      for (const outcome of ["delivered", "rejected", "timeout"] as const) {
        const step: AttemptStep = { outcome, record: record(TriggerStatus.CALLED) };
        expect(settlesWatcher(again, step)).to.equal(false);
        expect(settlesWatcher(delivery, step)).to.equal(true);
      }
      const retry: AttemptStep = {
        outcome: "retry",
        retryAt: at(25_000),
        record: record(TriggerStatus.NOT_CALLED),
      };
      expect(settlesWatcher(again, retry)).to.equal(false);
      expect(settlesWatcher(delivery, retry)).to.equal(false);
    });

    it("a final result sets the trigger only: no watcher status, no label", () => {
      const step: AttemptStep = { outcome: "delivered", record: record(TriggerStatus.CALLED) };
      // Even with a watcher read (it is not), the watcher is left as it is.
      expect(settleAttempt(again, step, { watcher: ended, others: [] }, NOW)).to.deep.equal({
        ...base,
        record: step.record,
        redelivery: true,
      });
    });

    it("a retry keeps the row, due at its time, and counts on the trigger", () => {
      const step: AttemptStep = {
        outcome: "retry",
        retryAt: at(25_000),
        record: record(TriggerStatus.NOT_CALLED),
      };
      expect(settleAttempt(again, step, { watcher: undefined, others: [] }, NOW)).to.deep.equal({
        ...base,
        record: step.record,
        retryAt: at(25_000),
        redelivery: true,
      });
    });
  });
});
