import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers: a status, optional headers and body ("ok"), or "hang" to never answer. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | "hang";

/**
 * A webhook receiver on 127.0.0.1: records every request and answers per path from a script of
 * replies (the last one repeats), 200 by default.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  private readonly waiters: (() => void)[] = [];

  private readonly server: Server;
  private url_ = "";

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.handle(req.url ?? "/", req.headers, Buffer.concat(chunks).toString(), res);
      });
    });
  }

  /** http://127.0.0.1:PORT */
  get url(): string {
    return this.url_;
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    receiver.url_ = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** Replies for requests to `path`, in order; the last one repeats. */
  script(path: string, replies: Reply[]): void {
    this.scripts.set(path, [...replies]);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves once `count` requests reached `path`, or rejects after `timeoutMs`. */
  async waitFor(path: string, count: number, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.on(path).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${path}: ${this.on(path).length} of ${count} requests after ${timeoutMs} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.on(path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(
    path: string,
    headers: IncomingHttpHeaders,
    body: string,
    res: import("node:http").ServerResponse,
  ): void {
    this.requests.push({ path, headers, body, at: Date.now() });
    for (const wake of this.waiters.splice(0)) wake();
    const script = this.scripts.get(path);
    const reply: Reply = (script && script.length > 1 ? script.shift() : script?.[0]) ?? {
      status: 200,
    };
    if (reply === "hang") return;
    res.writeHead(reply.status, reply.headers).end(reply.body ?? "ok");
  }
}
