import { expect } from "chai";
import { once } from "node:events";
import { Agent, createServer, request, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../common/readBody.js";
import { httpListener } from "../common/httpListener.js";
import { paceRequests } from "./paceRequests.js";

/** A server on 127.0.0.1 with `listener` paced; its base URL. */
async function serve(listener: RequestListener, perTurn: number): Promise<[Server, string]> {
  const server = createServer(paceRequests(perTurn, listener));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** POSTs `body` over a connection of its own; the status and the body of the answer. */
function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: new Agent({ keepAlive: false }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

// Answers with the body it read, and records which turn (counted by setImmediate) it started in.
function echo(turns: number[], turn: () => number): RequestListener {
  return (req, res) => {
    turns.push(turn());
    readBody(req, 1024).then(
      (text) => res.end(text),
      () => res.destroy(),
    );
  };
}

/** Counts turns of the event loop until stopped: each setImmediate callback is one. */
function turnCounter(): { now: () => number; stop: () => void } {
  let turn = 0;
  let timer = setImmediate(function tick() {
    turn++;
    timer = setImmediate(tick);
  });
  return { now: () => turn, stop: () => clearImmediate(timer) };
}

describe("paceRequests", () => {
  it("starts at most perTurn requests in a turn, and answers every one with its own body", async () => {
    const turns: number[] = [];
    const counter = turnCounter();
    const [server, url] = await serve(echo(turns, counter.now), 2);
    try {
      const bodies = Array.from({ length: 12 }, (_, i) => `body ${i}`);
      const answers = await Promise.all(bodies.map((b) => post(url, b)));
      expect(answers).to.deep.equal(bodies.map((body) => ({ status: 200, body })));
      const perTurn = new Map<number, number>();
      for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
      expect(Math.max(...perTurn.values())).to.be.at.most(2);
    } finally {
      counter.stop();
      await close(server);
    }
  });

  it("keeps the order of arrival on a keep-alive connection, and answers the waiting requests on shutdown", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const turns: number[] = [];
    const counter = turnCounter();
    const server = createServer(paceRequests(1, echo(turns, counter.now)));
    const listener = httpListener(server);
    const port = await listener.listen({ host: "127.0.0.1", port: 0 });
    try {
      const send = (body: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const req = request(`http://127.0.0.1:${port}/`, { method: "POST", agent }, (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve(text));
          });
          req.on("error", reject);
          req.end(body);
        });
      const first = await Promise.all(["a", "b", "c", "d"].map(send));
      expect(first).to.deep.equal(["a", "b", "c", "d"]);
      // Requests waiting when the server starts to close are still answered.
      const later = ["e", "f", "g", "h"].map(send);
      await new Promise((resolve) => setTimeout(resolve, 0));
      const closed = listener.close();
      expect(await Promise.all(later)).to.deep.equal(["e", "f", "g", "h"]);
      await closed;
    } finally {
      counter.stop();
      agent.destroy();
      listener.cut();
    }
  });

  it("answers the others, and starts no more than were sent, when clients go away meanwhile", async () => {
    let calls = 0;
    const [server, url] = await serve((_req, res) => {
      calls++;
      res.end("ok");
    }, 1);
    try {
      // Many connections at once, half of them closed as soon as their request is sent.
      const cut = Array.from({ length: 8 }, () => {
        const req = request(url, { method: "POST", agent: new Agent() });
        req.on("error", () => undefined);
        req.end("x", () => req.destroy());
        return req;
      });
      const answered = await Promise.all(Array.from({ length: 8 }, () => post(url, "y")));
      expect(answered.every((a) => a.status === 200)).to.equal(true);
      expect(cut.length).to.equal(8);
      expect(calls).to.be.at.least(8).and.at.most(16);
    } finally {
      await close(server);
    }
  });

  it("refuses a perTurn that is not a whole number ≥ 1", () => {
    expect(() => paceRequests(0, () => undefined)).to.throw(RangeError);
    expect(() => paceRequests(1.5, () => undefined)).to.throw(RangeError);
  });
});
