import { once } from "node:events";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { ErrorClass } from "../../contract/model.js";
import { Egress } from "../egress/Egress.js";
import { DEFAULT_DENY, EgressPolicy } from "../egress/EgressPolicy.js";
import { testEgress } from "../../test/support/egress.js";
import { networkFailure } from "./networkError.js";
import { sendAttempt, type Attempt } from "./sendAttempt.js";

// What each attempt tells the attempt log: its host, its class, the response's first 1 KiB and a
// few of its headers. Every receiver is a real server on 127.0.0.1.

interface Served {
  url: string;
  server: Server;
}

async function serve(answer: (res: ServerResponse) => void): Promise<Served> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(res));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, server };
}

async function stop(s: Served | undefined): Promise<void> {
  if (!s) return;
  s.server.closeAllConnections();
  s.server.close();
  await once(s.server, "close");
}

const attempt = (url: string, timeoutMs = 2000): Attempt => ({
  id: "msg_detail",
  url,
  body: "{}",
  contentType: "application/json",
  timeoutMs,
});

describe("sendAttempt: what the attempt log keeps", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await stop(served);
    served = undefined;
  });

  it("a 2xx: host, no class, the body's first 1 KiB and the allowed headers, cut short", async () => {
    const body = "é".repeat(600); // 1200 bytes: the 1 KiB cut falls inside a character
    served = await serve((res) =>
      res
        .writeHead(200, {
          "content-type": "text/plain; charset=utf-8",
          server: "s".repeat(300),
          "x-secret-token": "not kept",
        })
        .end(body),
    );
    const result = await sendAttempt(attempt(served.url), testEgress);
    expect(result.kind).to.equal("delivered");
    expect(result.host).to.equal(new URL(served.url).host);
    expect(result.errorClass).to.equal(undefined);
    expect(result.responsePrefix).to.equal("é".repeat(512));
    expect(result.responseHeaders).to.have.keys("content-type", "server", "date");
    expect(result.responseHeaders?.["content-type"]).to.equal("text/plain; charset=utf-8");
    expect(result.responseHeaders?.server).to.have.length(200);
  });

  it("a 500 is http, with its status, body prefix and retry-after", async () => {
    served = await serve((res) => res.writeHead(503, { "retry-after": "2" }).end("busy\0now"));
    const result = await sendAttempt(attempt(served.url), testEgress);
    expect(result).to.include({ kind: "retry", status: 503, errorClass: ErrorClass.HTTP });
    expect(result.responsePrefix).to.equal("busy\uFFFDnow");
    expect(result.responseHeaders).to.include({ "retry-after": "2" });
  });

  it("a receiver that never answers is timeout", async () => {
    served = await serve(() => undefined);
    const result = await sendAttempt(attempt(served.url, 200), testEgress);
    expect(result).to.include({ kind: "retry", errorClass: ErrorClass.TIMEOUT });
    expect(result.host).to.equal(new URL(served.url).host);
  });

  it("a closed port is refused", async () => {
    const closed = await serve(() => undefined);
    await stop(closed);
    const result = await sendAttempt(attempt(closed.url), testEgress);
    expect(result).to.deep.equal({
      kind: "retry",
      error: "connection refused",
      errorClass: ErrorClass.REFUSED,
      host: new URL(closed.url).host,
      durationMs: result.durationMs,
    });
  });

  it("https to a server that speaks no TLS is tls", async () => {
    served = await serve((res) => res.writeHead(200).end());
    const url = served.url.replace("http:", "https:");
    const result = await sendAttempt(attempt(url), testEgress);
    expect(result).to.include({ kind: "retry", errorClass: ErrorClass.TLS });
    expect((result as { error: string }).error).to.match(/^TLS: /);
  });

  it("an address the egress policy denies is egress_denied, and nothing connects", async () => {
    let connections = 0;
    served = await serve((res) => res.writeHead(200).end());
    served.server.on("connection", () => connections++);
    const denying = new Egress(new EgressPolicy([...DEFAULT_DENY, "127.0.0.1/32"], []));
    try {
      const result = await sendAttempt(attempt(served.url), denying);
      expect(result).to.include({ kind: "rejected", errorClass: ErrorClass.EGRESS_DENIED });
    } finally {
      await denying.close();
    }
    expect(connections).to.equal(0);
  });

  // A real lookup would ask the machine's resolver, which may ask a server elsewhere: the
  // resolver's own error codes stand in for it.
  it("a name that does not resolve is dns", () => {
    const notFound = Object.assign(new Error("getaddrinfo ENOTFOUND hook.invalid"), {
      code: "ENOTFOUND",
    });
    const fetchFailed = new TypeError("fetch failed", { cause: notFound });
    expect(networkFailure(fetchFailed)).to.deep.equal({
      error: "host not found (DNS)",
      errorClass: ErrorClass.DNS,
    });
    const again = Object.assign(new Error("EAI_AGAIN"), { code: "EAI_AGAIN" });
    expect(networkFailure(again).errorClass).to.equal(ErrorClass.DNS);
  });
});
