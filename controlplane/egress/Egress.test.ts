import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { sendAttempt, type Attempt } from "../dispatcher/sendAttempt.js";
import { Egress } from "./Egress.js";
import { EgressPolicy } from "./EgressPolicy.js";

// Receivers on 127.0.0.1 and ::1 only; the policies deny some of them. Nothing leaves the host.
describe("Egress: the guard on the address connected to", () => {
  let server: Server;
  let port: number;
  let connections: number;

  before(async () => {
    server = createServer((_req, res) => res.end("ok"));
    server.on("connection", () => (connections += 1));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());
  beforeEach(() => (connections = 0));

  const attempt = (url: string): Attempt => ({
    id: "msg_1",
    url,
    body: "{}",
    contentType: "application/json",
    timeoutMs: 3000,
  });

  async function through(deny: string[], allow: string[], url: string): Promise<unknown> {
    const egress = new Egress(new EgressPolicy(deny, allow));
    try {
      return await sendAttempt(attempt(url), egress);
    } finally {
      await egress.close();
    }
  }

  it("refuses a host name whose every address is denied, connecting to none", async () => {
    const r = await through(["127.0.0.0/8", "::1/128"], [], `http://localhost:${port}/hook`);
    expect(r).to.deep.include({ kind: "rejected", status: 0 });
    expect((r as { error: string }).error).to.match(
      /^EgressDenied: (127\.0\.0\.1|::1) is in --deny-destinations$/,
    );
    expect(connections).to.equal(0);
  });

  it("refuses a denied IP literal before connecting, mapped IPv6 spelling included", async () => {
    for (const host of ["127.0.0.1", "[::ffff:127.0.0.1]"]) {
      const r = await through(["127.0.0.0/8"], [], `http://${host}:${port}/hook`);
      expect(r, host).to.deep.include({
        kind: "rejected",
        status: 0,
        error: "EgressDenied: 127.0.0.1 is in --deny-destinations",
      });
    }
    expect(connections).to.equal(0);
  });

  it("connects to the allowed addresses of a name, and to an address the allow list lets through", async () => {
    // localhost may resolve to ::1 as well as 127.0.0.1: only 127.0.0.1 is left to try.
    const r = await through(["::1/128"], [], `http://localhost:${port}/hook`);
    expect(r).to.deep.include({ kind: "delivered", status: 200 });
    const allowed = await through(["127.0.0.0/8"], ["127.0.0.1/32"], `http://127.0.0.1:${port}/`);
    expect(allowed).to.deep.include({ kind: "delivered", status: 200 });
    expect(connections).to.equal(2);
  });

  it("keeps connections alive across attempts (one pool per Egress)", async () => {
    const egress = new Egress(new EgressPolicy([], []));
    try {
      for (let i = 0; i < 5; i++) {
        const r = await sendAttempt(attempt(`http://127.0.0.1:${port}/`), egress);
        expect(r).to.deep.include({ kind: "delivered" });
      }
    } finally {
      await egress.close();
    }
    // A 2xx body is cancelled, not read, which may cost its connection; never one per attempt.
    expect(connections).to.be.lessThan(5);
  });
});
