import { expect } from "chai";
import { at, webhook } from "../../test/support/watcherFixtures.js";
import type { KeptMessage } from "../store/RedeliveryRepo.js";
import { redeliveryOf } from "./redeliveryOf.js";

const kept: KeptMessage = {
  id: "msg_1",
  triggerId: "w1.t1",
  watcherId: "w1",
  webhookId: "hook",
  body: '{"type":"job.succeeded"}',
  contentType: "application/json",
  headers: { "x-team": "a" },
  timeoutSeconds: 0,
};
const NOW = at(60_000);

describe("redeliveryOf", () => {
  it("keeps the message and its id; takes the webhook's url and secrets as they are now", () => {
    const now = webhook("hook", {
      url: "https://example.com:8443/moved?x=1",
      secret: "whsec_new",
      previousSecret: { secret: "whsec_old", expiresAt: at(90_000) },
    });
    expect(redeliveryOf(kept, now, { now: NOW, defaultTimeoutMs: 5000 })).to.deep.equal({
      id: "msg_1",
      triggerId: "w1.t1",
      watcherId: "w1",
      webhookId: "hook",
      url: "https://example.com:8443/moved?x=1",
      destination: "https://example.com:8443",
      body: '{"type":"job.succeeded"}',
      contentType: "application/json",
      headers: { "x-team": "a" },
      secret: "whsec_new",
      previousSecret: { secret: "whsec_old", expiresAt: at(90_000) },
      deadlineAt: at(65_000),
      nextAttemptAt: NOW,
      attempts: 0,
      createdAt: NOW,
      redelivery: true,
    });
  });

  it("drops a previous secret past its overlap, reads a Secret's, and takes the trigger's bound", () => {
    const ref = { namespace: "jobhooks-system", name: "hook", key: "secret" };
    const now = webhook("hook", {
      previousSecret: { secret: "whsec_old", expiresAt: NOW },
      options: { secretRef: ref },
    });
    const bare: KeptMessage = { ...kept };
    delete bare.headers;
    const d = redeliveryOf({ ...bare, timeoutSeconds: 7 }, now, {
      now: NOW,
      defaultTimeoutMs: 5000,
    });
    expect(d.previousSecret).to.equal(undefined);
    expect(d.secretRef).to.deep.equal(ref);
    expect(d.headers).to.equal(undefined);
    expect(d.deadlineAt).to.deep.equal(at(67_000));
  });
});
