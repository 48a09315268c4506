import { expect } from "chai";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { FETCH_BAD_PORTS } from "../../common/fetchBadPorts.js";
import { isValidSecret } from "../../controlplane/dispatcher/sign.js";
import { dnsSubdomainProblem, validateWebhook } from "../../controlplane/watchers/validate.js";
import { webhookInput } from "../../rest/convert.js";
import { dnsSubdomain, webhookSecret, webhookUrl } from "../../rest/openapi/parts.js";
import { check, validators } from "../../rest/validators.js";

// The document's rules must never be looser than the controlplane's: whatever a client generated
// from the document sends, the controlplane accepts.
const urlPattern = new RegExp(webhookUrl.pattern, "u");
const badPort = new RegExp(webhookUrl.not.pattern, "u");
const documentedUrl = (url: string): boolean => urlPattern.test(url) && !badPort.test(url);
const hook = (url: string): Parameters<typeof validateWebhook>[0] => ({
  url,
  requestBody: undefined,
  description: "",
  secret: undefined,
});

describe("the OpenAPI document's rules, against the controlplane's", () => {
  it("every URL the document allows is a webhook URL the controlplane accepts", () => {
    fc.assert(
      fc.property(fc.stringMatching(urlPattern), (url) => {
        if (badPort.test(url)) return;
        expect(validateWebhook(hook(url)), url).to.deep.equal([]);
      }),
      { numRuns: 3000 },
    );
  });

  it("allows the URLs people use, and refuses other schemes, credentials and bad ports", () => {
    for (const url of [
      "http://127.0.0.1:8080/hooks/done",
      "https://example.com/hook?x=1&y=%20#top",
      "HTTPS://Example.COM",
      "http://[::1]:9000/x",
      "http://[2001:db8:0:0:0:0:0:1]/",
      "http://my_service.ns.svc.cluster.local:80/",
    ]) {
      expect(documentedUrl(url), url).to.equal(true);
      expect(validateWebhook(hook(url)), url).to.deep.equal([]);
    }
    for (const url of [
      "ftp://example.com/",
      "http://user:pw@example.com/",
      "http://example.com:6000/",
      "http://example.com:0021",
      "http://1.2.3.256/",
      "http://example.com/a b",
      "http:/example.com",
    ]) {
      expect(documentedUrl(url), url).to.equal(false);
    }
  });

  it("names every port of the Fetch standard's list as bad", () => {
    for (const port of FETCH_BAD_PORTS) {
      const url = `http://example.com:${port}/`;
      expect(documentedUrl(url), url).to.equal(false);
      expect(validateWebhook(hook(url)), url).to.have.length(1);
    }
  });

  it("allows exactly the whsec_ secrets the controlplane accepts", () => {
    const pattern = new RegExp(webhookSecret.pattern, "u");
    fc.assert(
      fc.property(fc.stringMatching(pattern), (secret) => {
        expect(isValidSecret(secret), secret).to.equal(true);
      }),
      { numRuns: 1000 },
    );
    for (let bytes = 16; bytes <= 72; bytes++) {
      const secret = `whsec_${randomBytes(bytes).toString("base64")}`;
      expect(pattern.test(secret), secret).to.equal(isValidSecret(secret));
      // A second spelling of the same key (unpadded, or with spare bits set) is refused by both.
      const unpadded = secret.replace(/=+$/, "");
      expect(pattern.test(unpadded), unpadded).to.equal(isValidSecret(unpadded));
    }
    expect(pattern.test(`whsec_${"A".repeat(31)}B==`)).to.equal(false);
    expect(isValidSecret(`whsec_${"A".repeat(31)}B==`)).to.equal(false);
  });

  it("allows exactly the pod names the controlplane accepts", () => {
    const pattern = new RegExp(dnsSubdomain.pattern, "u");
    const names = fc.oneof(
      fc.stringMatching(pattern),
      fc.string({ unit: fc.constantFrom("a", "z", "0", "-", ".", "A", "_"), maxLength: 12 }),
    );
    fc.assert(
      fc.property(names, (name) => {
        const documented = pattern.test(name) && name.length <= dnsSubdomain.maxLength;
        expect(dnsSubdomainProblem(name) === undefined, name).to.equal(documented);
      }),
      { numRuns: 2000 },
    );
  });

  it("every payload the document allows has the shape the controlplane accepts", () => {
    const text = fc.string({ unit: fc.constantFrom("", "a", "{", "é"), maxLength: 3 });
    const body = fc.record(
      {
        requestBody: text,
        bodyTemplate: text,
        headers: fc.dictionary(fc.constantFrom("X-A", "X-B", "Host", "ce-id"), text),
        cloudEvents: fc.record(
          { mode: fc.constantFrom("Binary", "Structured") },
          {
            requiredKeys: [],
          },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body, (b) => {
        let taken;
        try {
          taken = check(validators.webhookCreate, { url: "https://example.com/", ...b }, "body");
        } catch {
          return;
        }
        // As the service reads it (controlplane/api/webhookOperations.ts): empty means none.
        const input = webhookInput(taken);
        const hook = {
          url: input.url,
          requestBody: input.requestBody,
          description: "",
          secret: undefined,
          ...(input.bodyTemplate && { bodyTemplate: input.bodyTemplate }),
          ...(input.headers && { headers: input.headers }),
          ...(input.cloudEvents && { cloudEvents: input.cloudEvents }),
        };
        expect(validateWebhook(hook), JSON.stringify(b)).to.deep.equal([]);
      }),
      { numRuns: 2000 },
    );
  });
});
