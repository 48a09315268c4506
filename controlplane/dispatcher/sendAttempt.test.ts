import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Webhook } from "standardwebhooks";
import { VERSION } from "../../common/version.js";
import { testEgress } from "../../test/support/egress.js";
import { sendAttempt, type Attempt, type AttemptResult } from "./sendAttempt.js";
import { generateSecret } from "./sign.js";

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  close: () => Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records each request, then lets `answer` respond. */
async function startReceiver(
  answer: (res: ServerResponse, req: Received) => void,
): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const r: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(r);
      answer(res, r);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

function status(
  code: number,
  body = "",
  headers: Record<string, string> = {},
): (res: ServerResponse) => void {
  return (res: ServerResponse): void => {
    res.writeHead(code, headers).end(body);
  };
}

function signatureHeaders(r: Received): Record<string, string> {
  const pick = (name: string): string => {
    const value = r.headers[name];
    return typeof value === "string" ? value : "";
  };
  return {
    "webhook-id": pick("webhook-id"),
    "webhook-timestamp": pick("webhook-timestamp"),
    "webhook-signature": pick("webhook-signature"),
  };
}

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

const BODY = JSON.stringify({ job: "backup-28771", outcome: "Complete", note: "naïve ✓" });

describe("sendAttempt", () => {
  let receiver: Receiver | undefined;
  const attempt = (url: string, extra: Partial<Attempt> = {}): Attempt => ({
    id: "msg_2b7Yy1ZBVu5sDk7rQ3W4dQ",
    url,
    body: BODY,
    contentType: "application/json",
    timeoutMs: 2000,
    ...extra,
  });
  const serve = async (answer: (res: ServerResponse, req: Received) => void): Promise<Receiver> => {
    receiver = await startReceiver(answer);
    return receiver;
  };

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it("delivers on 2xx with the Standard Webhooks headers, and the signature verifies", async () => {
    const secret = generateSecret();
    const { url, received } = await serve(status(204));
    const result = await sendAttempt(attempt(url, { secret }), testEgress);
    expect(result).to.include({ kind: "delivered", status: 204 });
    expect(received).to.have.length(1);
    const [req] = received;
    expect(req?.method).to.equal("POST");
    expect(req?.body).to.equal(BODY);
    expect(req?.headers).to.include({
      "content-type": "application/json",
      "user-agent": `jobhooks/${VERSION}`,
      "webhook-id": "msg_2b7Yy1ZBVu5sDk7rQ3W4dQ",
    });
    expect(req?.headers["webhook-timestamp"]).to.match(/^\d+$/);
    expect(req?.headers["webhook-signature"]).to.match(/^v1,[A-Za-z0-9+/]+=*$/);
    if (!req) return;
    expect(() => new Webhook(secret).verify(req.body, signatureHeaders(req))).not.to.throw();
    expect(() => new Webhook(secret).verify(`${req.body} `, signatureHeaders(req))).to.throw();
    expect(() => new Webhook(generateSecret()).verify(req.body, signatureHeaders(req))).to.throw();
  });

  it("keeps the id and stamps each attempt with its own time", async () => {
    const secret = generateSecret();
    const { url, received } = await serve(status(200, "ok"));
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await sendAttempt(attempt(url, { secret }), testEgress, () => new Date(t0));
    await sendAttempt(attempt(url, { secret }), testEgress, () => new Date(t0 + 7000));
    const [first, second] = received;
    if (!first || !second) throw new Error("expected two requests");
    expect(first.headers["webhook-id"]).to.equal(second.headers["webhook-id"]);
    expect(first.headers["webhook-timestamp"]).to.equal(String(t0 / 1000));
    expect(second.headers["webhook-timestamp"]).to.equal(String(t0 / 1000 + 7));
    expect(first.headers["webhook-signature"]).not.to.equal(second.headers["webhook-signature"]);
    for (const req of received) {
      expect(() => new Webhook(secret).verify(req.body, signatureHeaders(req))).not.to.throw();
    }
  });

  it("adds the delivery's own headers, which cannot replace content-type or webhook-*", async () => {
    const secret = generateSecret();
    const { url, received } = await serve(status(200));
    const headers = {
      "X-Team": "a",
      "ce-id": "msg_1",
      "Content-Type": "text/evil",
      "Webhook-Id": "forged",
    };
    await sendAttempt(attempt(url, { secret, headers }), testEgress);
    const [req] = received;
    expect(req?.headers).to.include({
      "x-team": "a",
      "ce-id": "msg_1",
      "content-type": "application/json",
      "webhook-id": "msg_2b7Yy1ZBVu5sDk7rQ3W4dQ",
    });
    if (req)
      expect(() => new Webhook(secret).verify(req.body, signatureHeaders(req))).not.to.throw();
  });

  it("sends no webhook-signature without a secret", async () => {
    const { url, received } = await serve(status(200));
    expect(await sendAttempt(attempt(url), testEgress)).to.include({
      kind: "delivered",
      status: 200,
    });
    expect(received[0]?.headers).to.have.property("webhook-id");
    expect(received[0]?.headers).not.to.have.property("webhook-signature");
  });

  it("retries a 500 and names it, with the receiver's words", async () => {
    const { url } = await serve(status(500, "database\n  is down"));
    const result = await sendAttempt(attempt(url), testEgress);
    expect(result).to.deep.include({
      kind: "retry",
      status: 500,
      error: "HTTP 500: database is down",
    });
    expect(result).not.to.have.property("retryAfterMs");
  });

  it("retries a 503 after the receiver's Retry-After", async () => {
    const { url } = await serve(status(503, "", { "retry-after": "2" }));
    const result = await sendAttempt(attempt(url), testEgress);
    expect(result).to.deep.include({ kind: "retry", status: 503, retryAfterMs: 2000 });
  });

  it("rejects a 404", async () => {
    const { url } = await serve(status(404, "no such hook"));
    const result = await sendAttempt(attempt(url), testEgress);
    expect(result).to.deep.include({
      kind: "rejected",
      status: 404,
      error: "HTTP 404: no such hook",
    });
  });

  it("rejects a redirect without following it", async () => {
    const { url, received } = await serve(status(302, "", { location: "/elsewhere" }));
    const result = await sendAttempt(attempt(url), testEgress);
    expect(result).to.deep.include({
      kind: "rejected",
      status: 302,
      error: "HTTP 302 redirect to /elsewhere (not followed)",
    });
    expect(received.map((r) => r.path)).to.deep.equal(["/hook"]);
  });

  it("reads at most 64 KiB of an error body and keeps 200 characters of it", async () => {
    // 100 KiB, then the response never ends: reading it all would wait for the timeout.
    const { url } = await serve((res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.write("x".repeat(100 * 1024));
    });
    const result = await sendAttempt(attempt(url, { timeoutMs: 3000 }), testEgress);
    expect(result).to.include({ kind: "retry", status: 500 });
    expect(result.durationMs).to.be.below(1500);
    const error = (result as { error?: string }).error ?? "";
    expect(error).to.match(/^HTTP 500: x+…$/);
    expect(error.length - "HTTP 500: ".length).to.equal(200);
  });

  it("retries when the receiver never answers, after timeoutMs", async () => {
    const { url } = await serve(() => undefined);
    const result = await sendAttempt(attempt(url, { timeoutMs: 200 }), testEgress);
    expect(result).to.include({ kind: "retry", error: "timed out after 200 ms" });
    expect(result).not.to.have.property("status");
    expect(result.durationMs).to.be.within(190, 1500);
  });

  it("is aborted, not failed, when the caller's signal fires mid-request", async () => {
    const controller = new AbortController();
    const { url } = await serve(() => {
      controller.abort();
    });
    const result = await sendAttempt(
      attempt(url, { timeoutMs: 5000, signal: controller.signal }),
      testEgress,
    );
    expect(result.kind).to.equal("aborted");
    expect(result.durationMs).to.be.below(1500);
  });

  it("sends nothing when the caller's signal has already fired", async () => {
    const { url, received } = await serve(status(200));
    const result = await sendAttempt(attempt(url, { signal: AbortSignal.abort() }), testEgress);
    expect(result.kind).to.equal("aborted");
    expect(received).to.have.length(0);
  });

  it("throws for a malformed attempt instead of retrying it", async () => {
    const bad: Partial<Attempt>[] = [
      { url: "ftp://127.0.0.1/hook" },
      { url: "not a url" },
      { url: "http://user:pass@127.0.0.1/hook" },
      { secret: "whsec_tooshort" },
      { timeoutMs: 0 },
      { timeoutMs: Number.NaN },
      { timeoutMs: 2 ** 31 },
      { id: "" },
      { contentType: "application/json\r\nx-injected: 1" },
    ];
    for (const extra of bad) {
      const err = await thrownBy(
        sendAttempt(attempt("http://127.0.0.1:9/hook", extra), testEgress),
      );
      expect(err, JSON.stringify(extra)).to.be.instanceOf(Error);
    }
  });

  it("classifies every result kind with a duration", async () => {
    const { url } = await serve(status(429, "slow down", { "retry-after": "garbage" }));
    const result: AttemptResult = await sendAttempt(attempt(url), testEgress);
    const detail = { errorClass: "http", host: new URL(url).host, responsePrefix: "slow down" };
    const { durationMs } = result;
    expect(result).to.deep.include({
      kind: "retry",
      status: 429,
      error: "HTTP 429: slow down",
      durationMs,
      ...detail,
    });
    expect(result).not.to.have.property("retryAfterMs");
    expect(result.durationMs).to.be.at.least(0);
  });
});
