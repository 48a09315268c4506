import { expect } from "chai";
import { ValidationError } from "./errors.js";
import { decodePageToken, encodePageToken } from "./pageTokens.js";

describe("page tokens", () => {
  const cursor = { createdAt: 1_700_000_000_123, id: "5b0c7c1e-0000-4000-8000-000000000001" };

  it("give back the cursor they were made of", () => {
    const token = encodePageToken("watchers", cursor, ["ns", "", "PENDING"]);
    expect(token).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken("watchers", token, ["ns", "", "PENDING"])).to.deep.equal(cursor);
  });

  const refused = (
    kind: "webhooks" | "watchers",
    token: string,
    filter: unknown = null,
  ): string => {
    try {
      decodePageToken(kind, token, filter);
    } catch (err) {
      expect(err).to.be.instanceOf(ValidationError);
      const [v] = (err as ValidationError).violations;
      expect(v?.field).to.equal("pageToken");
      return v?.description ?? "";
    }
    throw new Error(`${token} was accepted`);
  };
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");

  it("refuse a token of another list, or of other filters", () => {
    expect(refused("webhooks", encodePageToken("watchers", cursor))).to.match(/list of webhooks/);
    const token = encodePageToken("watchers", cursor, ["a", "", ""]);
    expect(refused("watchers", token, ["b", "", ""])).to.match(/other filters/);
  });

  it("refuse anything this server did not issue", () => {
    const good = JSON.parse(
      Buffer.from(encodePageToken("webhooks", cursor), "base64url").toString(),
    ) as Record<string, unknown>;
    for (const token of [
      "%%%",
      "bm90IGpzb24",
      b64([cursor.createdAt, cursor.id]),
      b64(null),
      b64({ ...good, v: 2 }),
      b64({ ...good, c: -1 }),
      b64({ ...good, c: 1.5 }),
      b64({ ...good, c: "1" }),
      b64({ ...good, i: "" }),
      b64({ ...good, i: "x".repeat(256) }),
      b64({ ...good, extra: 1 }),
      "A".repeat(1025),
    ]) {
      refused("webhooks", token);
    }
  });
});
