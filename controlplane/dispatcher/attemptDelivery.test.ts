import { expect } from "chai";
import { Webhook } from "standardwebhooks";
import { testEgress } from "../../test/support/egress.js";
import { Receiver, type ReceivedRequest } from "../../test/support/receiver.js";
import { delivery } from "../../test/support/storeContract.js";
import type { Delivery } from "../watchers/model.js";
import { attemptDelivery } from "./attemptDelivery.js";
import { generateSecret } from "./sign.js";

describe("attemptDelivery: signing secrets", () => {
  const S1 = generateSecret();
  const S2 = generateSecret();
  const now = new Date();
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await Receiver.start();
  });
  afterEach(() => receiver.stop());

  // Sends `over` to the receiver; the request it got and its signatures.
  async function send(
    over: Partial<Delivery>,
    secretOf?: () => Promise<string>,
  ): Promise<{ req: ReceivedRequest; signatures: string[] }> {
    const d = { ...delivery("msg_1", "t", "w"), url: `${receiver.url}/hook`, ...over };
    const result = await attemptDelivery(d, {
      timeoutMs: 5000,
      signal: new AbortController().signal,
      egress: testEgress,
      now,
      ...(secretOf && { secretOf }),
    });
    expect(result.kind).to.equal("delivered");
    const req = receiver.on("/hook").at(-1);
    if (!req) throw new Error("nothing received");
    return { req, signatures: String(req.headers["webhook-signature"]).split(" ") };
  }

  function verifies(secret: string, req: ReceivedRequest): boolean {
    try {
      new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  }

  it("during a rotation's overlap signs with both, newest first; each verifies", async () => {
    const previousSecret = { secret: S1, expiresAt: new Date(now.getTime() + 1) };
    const { req, signatures } = await send({ secret: S2, previousSecret });
    expect(signatures).to.have.length(2);
    expect(signatures.every((s) => s.startsWith("v1,"))).to.equal(true);
    expect(verifies(S1, req)).to.equal(true);
    expect(verifies(S2, req)).to.equal(true);
    expect(verifies(generateSecret(), req)).to.equal(false);
  });

  it("after the previous secret expires, signs with the new one only", async () => {
    const previousSecret = { secret: S1, expiresAt: now };
    const { req, signatures } = await send({ secret: S2, previousSecret });
    expect(signatures).to.have.length(1);
    expect(verifies(S2, req)).to.equal(true);
    expect(verifies(S1, req)).to.equal(false);
  });

  it("a Secret's value of two secrets, space-separated, signs with both", async () => {
    const secretRef = { namespace: "ns", name: "s", key: "k" };
    const { req, signatures } = await send({ secretRef }, () => Promise.resolve(`${S2} ${S1}`));
    expect(signatures).to.have.length(2);
    expect(verifies(S1, req) && verifies(S2, req)).to.equal(true);
  });
});
