import { expect } from "chai";
import { TriggerStatus, type Delivery } from "../watchers/model.js";
import { decideAttempt, MIN_ATTEMPT_MS } from "./decideAttempt.js";

const NOW = new Date("2026-01-01T00:00:00Z");
const at = { calledAt: NOW, now: NOW, backoff: { baseMs: 1000, maxMs: 60_000 } };

function delivery(attempts: number, deadlineInMs: number): Delivery {
  return {
    id: "msg_1",
    triggerId: "t",
    watcherId: "w",
    webhookId: "wh",
    url: "http://127.0.0.1/x",
    destination: "http://127.0.0.1",
    body: "{}",
    contentType: "application/json",
    secret: undefined,
    deadlineAt: new Date(NOW.getTime() + deadlineInMs),
    nextAttemptAt: NOW,
    attempts,
    createdAt: NOW,
  };
}

describe("decideAttempt", () => {
  it("a 2xx is CALLED", () => {
    const step = decideAttempt(
      delivery(0, 60_000),
      { kind: "delivered", status: 204, durationMs: 3 },
      at,
    );
    expect({ ...step, log: undefined }).to.deep.equal({
      log: undefined,
      outcome: "delivered",
      record: { status: TriggerStatus.CALLED, attempts: 1, lastError: "", calledAt: NOW },
    });
  });

  it("a refusal is FAILED with the receiver's complaint", () => {
    const step = decideAttempt(
      delivery(2, 60_000),
      { kind: "rejected", status: 400, error: "400 bad", durationMs: 3 },
      at,
    );
    expect(step.outcome).to.equal("rejected");
    expect(step.record).to.include({
      status: TriggerStatus.FAILED,
      attempts: 3,
      lastError: "400 bad",
    });
  });

  it("a retryable failure is retried after the backoff, the jitter fixed", () => {
    const step = decideAttempt(
      delivery(2, 60_000),
      { kind: "retry", status: 503, error: "503", durationMs: 3 },
      { ...at, random: () => 0.5 },
    );
    // After the third failure: d = 4 s, so the wait lies in [2 s, 4 s]; half-way is 3 s.
    expect(step).to.deep.include({ outcome: "retry", retryAt: new Date(NOW.getTime() + 3000) });
    expect(step.record.status).to.equal(TriggerStatus.NOT_CALLED);
  });

  it("honours a Retry-After longer than the backoff", () => {
    const step = decideAttempt(
      delivery(0, 60_000),
      { kind: "retry", status: 429, error: "429", retryAfterMs: 30_000, durationMs: 3 },
      { ...at, random: () => 0 },
    );
    expect(step).to.deep.include({ retryAt: new Date(NOW.getTime() + 30_000) });
  });

  it("is TIMEOUT when the next try would fall past the deadline", () => {
    const step = decideAttempt(
      delivery(0, 100),
      { kind: "retry", error: "connection refused", durationMs: 3 },
      { ...at, random: () => 0 },
    );
    expect(step.outcome).to.equal("timeout");
    expect(step.record).to.include({ status: TriggerStatus.TIMEOUT, attempts: 1 });
    expect(step.record.lastError).to.match(
      /connection refused; no 2xx before the delivery deadline/,
    );
  });

  it("is TIMEOUT when the next try would leave too little time to answer before the deadline", () => {
    // The backoff says 500 ms; the deadline is 600 ms away: a try then would have 100 ms, and
    // end as its own timeout instead of the receiver's answer.
    const step = decideAttempt(
      delivery(0, 600),
      { kind: "retry", status: 503, error: "HTTP 503", durationMs: 3 },
      { ...at, random: () => 0 },
    );
    expect(step.outcome).to.equal("timeout");
    expect(step.record.lastError).to.equal("HTTP 503; no 2xx before the delivery deadline");
    const roomy = decideAttempt(
      delivery(0, 500 + MIN_ATTEMPT_MS),
      { kind: "retry", status: 503, error: "HTTP 503", durationMs: 3 },
      { ...at, random: () => 0 },
    );
    expect(roomy.outcome).to.equal("retry");
  });
});
