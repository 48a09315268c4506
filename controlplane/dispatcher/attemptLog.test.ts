import { expect } from "chai";
import { ErrorClass } from "../../contract/model.js";
import type { Delivery } from "../watchers/model.js";
import { testEgress } from "../../test/support/egress.js";
import { attemptDelivery } from "./attemptDelivery.js";
import { decideAttempt } from "./decideAttempt.js";

const NOW = new Date("2026-01-01T00:00:00Z");
const CALLED = new Date(NOW.getTime() - 40);
const at = { calledAt: CALLED, now: NOW, backoff: { baseMs: 1000, maxMs: 1000 }, random: () => 1 };

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    id: "msg_1",
    triggerId: "t",
    watcherId: "w",
    webhookId: "wh",
    url: "https://hooks.example:8443/x?y=1",
    destination: "https://hooks.example:8443",
    body: "{}",
    contentType: "application/json",
    secret: undefined,
    deadlineAt: new Date(NOW.getTime() + 60_000),
    nextAttemptAt: NOW,
    attempts: 0,
    createdAt: NOW,
    ...over,
  };
}

describe("the attempt log's entry, decided with the attempt", () => {
  it("a 2xx: delivered, no class and no error, the response as sent", () => {
    const { log } = decideAttempt(
      delivery({ redelivery: true }),
      {
        kind: "delivered",
        status: 200,
        durationMs: 40,
        host: "hooks.example:8443",
        responsePrefix: "thanks",
        responseHeaders: { "content-type": "text/plain" },
      },
      at,
    );
    expect(log).to.deep.equal({
      deliveryId: "msg_1",
      triggerId: "t",
      watcherId: "w",
      webhookId: "wh",
      startedAt: CALLED,
      durationMs: 40,
      host: "hooks.example:8443",
      statusCode: 200,
      errorClass: undefined,
      error: "",
      responseBody: "thanks",
      responseHeaders: { "content-type": "text/plain" },
      outcome: "delivered",
      nextAttemptAt: undefined,
      redelivery: true,
    });
  });

  it("a retry names its class, status and when the next attempt is due", () => {
    const step = decideAttempt(
      delivery(),
      { kind: "retry", status: 500, error: "HTTP 500", errorClass: ErrorClass.HTTP, durationMs: 3 },
      at,
    );
    expect(step.outcome).to.equal("retry");
    expect(step.log).to.deep.include({
      outcome: "retry",
      statusCode: 500,
      errorClass: "http",
      error: "HTTP 500",
      nextAttemptAt: new Date(NOW.getTime() + 1000),
      // Taken from the URL when the result names none.
      host: "hooks.example:8443",
      redelivery: false,
    });
  });

  it("given up past the deadline without sending: timeout, class deadline, no status", () => {
    const late = delivery({ attempts: 2, deadlineAt: new Date(NOW.getTime() - 1) });
    const { log } = decideAttempt(
      late,
      {
        kind: "retry",
        error: "the delivery deadline passed",
        errorClass: ErrorClass.DEADLINE,
        durationMs: 0,
      },
      at,
    );
    expect(log).to.deep.include({
      outcome: "timeout",
      errorClass: "deadline",
      statusCode: undefined,
      nextAttemptAt: undefined,
      error: "the delivery deadline passed",
    });
  });

  it("a denied or unsendable delivery (status 0) keeps no status; a classless result is classed by what it has", () => {
    const denied = decideAttempt(
      delivery(),
      {
        kind: "rejected",
        status: 0,
        error: "EgressDenied: x",
        errorClass: ErrorClass.EGRESS_DENIED,
        durationMs: 0,
      },
      at,
    ).log;
    expect(denied).to.deep.include({
      outcome: "rejected",
      statusCode: undefined,
      errorClass: "egress_denied",
    });
    const bare = decideAttempt(
      delivery(),
      { kind: "rejected", status: 404, error: "HTTP 404", durationMs: 1 },
      at,
    ).log;
    expect(bare?.errorClass).to.equal("http");
    const network = decideAttempt(
      delivery(),
      { kind: "retry", error: "boom", durationMs: 1 },
      at,
    ).log;
    expect(network?.errorClass).to.equal("network");
  });

  it("a signing Secret that cannot be read is class secret, and nothing is sent", async () => {
    const result = await attemptDelivery(
      delivery({ secretRef: { namespace: "ns", name: "s", key: "k" } }),
      {
        timeoutMs: 1000,
        signal: new AbortController().signal,
        egress: testEgress,
        secretOf: () => Promise.reject(new Error('secrets "s" is forbidden')),
      },
    );
    expect(result).to.deep.include({
      kind: "retry",
      errorClass: "secret",
      host: "hooks.example:8443",
    });
  });
});
