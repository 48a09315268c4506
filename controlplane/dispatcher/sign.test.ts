import { expect } from "chai";
import { Webhook } from "standardwebhooks";
import { generateSecret, isValidSecret, signatures, signPayload } from "./sign.js";

describe("signPayload", () => {
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const body = '{"test": 2432232314}';

  it("matches the Standard Webhooks reference vector", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    expect(signPayload(secret, id, 1614265330, body)).to.equal(
      new Webhook(secret).sign(id, new Date(1614265330 * 1000), body),
    );
    expect(signPayload(secret, id, 1614265330, body)).to.equal(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("verifies with the standardwebhooks library; a tampered body does not", () => {
    const secret = generateSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signPayload(secret, id, timestamp, body),
    };
    expect(new Webhook(secret).verify(body, headers)).to.deep.equal({ test: 2432232314 });
    expect(() => new Webhook(secret).verify('{"test": 2432232315}', headers)).to.throw(
      "No matching signature found",
    );
  });

  it("signs the body as UTF-8", () => {
    const secret = generateSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const text = '{"job":"naïve-✓-🚀"}';
    const headers = {
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signPayload(secret, id, timestamp, text),
    };
    expect(() => new Webhook(secret).verify(text, headers)).not.to.throw();
  });

  it("throws for a malformed secret or a fractional timestamp", () => {
    expect(() => signPayload("whsec_abc", id, 1614265330, body)).to.throw(TypeError);
    expect(() => signPayload(generateSecret(), id, 1614265330.5, body)).to.throw(TypeError);
  });
});

describe("isValidSecret", () => {
  const base64Of = (bytes: number): string => Buffer.alloc(bytes, 7).toString("base64");
  const cases: [string, boolean][] = [
    [`whsec_${base64Of(24)}`, true],
    [`whsec_${base64Of(32)}`, true],
    [`whsec_${base64Of(64)}`, true],
    [`whsec_${base64Of(23)}`, false],
    [`whsec_${base64Of(65)}`, false],
    [base64Of(32), false],
    [`WHSEC_${base64Of(32)}`, false],
    ["whsec_", false],
    [`whsec_${base64Of(32).replace(/=+$/, "")}`, false],
    [`whsec_${base64Of(32).slice(0, 10)}*${base64Of(32).slice(11)}`, false],
    [`whsec_ ${base64Of(32)}`, false],
    [`whsec_${Buffer.alloc(32, 0xfb).toString("base64url")}=`, false],
    // Non-canonical: the last character carries bits that decoding drops.
    [`whsec_${base64Of(32).slice(0, -2)}B=`, false],
  ];
  for (const [secret, valid] of cases) {
    it(`${valid ? "accepts" : "refuses"} ${JSON.stringify(secret)}`, () => {
      expect(isValidSecret(secret)).to.equal(valid);
    });
  }
});

describe("generateSecret", () => {
  it("makes valid, distinct secrets of 32 bytes", () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(isValidSecret(a)).to.equal(true);
    expect(a).not.to.equal(b);
    expect(Buffer.from(a.slice("whsec_".length), "base64")).to.have.length(32);
  });
});

describe("signatures", () => {
  it("signs with each secret, space-separated; either secret verifies", () => {
    const [a, b] = [generateSecret(), generateSecret()];
    const id = "msg_1";
    const timestamp = Math.floor(Date.now() / 1000);
    const value = signatures([a, b], id, timestamp, "{}");
    expect(value).to.equal(
      `${signPayload(a, id, timestamp, "{}")} ${signPayload(b, id, timestamp, "{}")}`,
    );
    const headers = {
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": value,
    };
    expect(new Webhook(a).verify("{}", headers)).to.deep.equal({});
    expect(new Webhook(b).verify("{}", headers)).to.deep.equal({});
    expect(() => new Webhook(generateSecret()).verify("{}", headers)).to.throw();
  });
});
