import { expect } from "chai";
import { createServer, type RequestListener } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { httpListener } from "./httpListener.js";
import type { ListenAddress } from "./listenAddress.js";
import { ListenError } from "./ListenError.js";
import { serveUntil, type ServeUntilOptions } from "./serveUntil.js";

const LOOPBACK = { host: "127.0.0.1", port: 0 };

/** serveUntil's options for an HTTP server with `handler`; `logs` gets each log line. */
function options(
  logs: Record<string, unknown>[],
  overrides: Partial<ServeUntilOptions> & { handler?: RequestListener } = {},
): ServeUntilOptions {
  const { handler = (_req, res) => res.end("ok"), ...rest } = overrides;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return {
    name: "test",
    listening: "test listening",
    addresses: [LOOPBACK],
    create: () => httpListener(createServer(handler)),
    log: pino({ level: "info" }, sink),
    graceMs: 0,
    ...rest,
  };
}

/** Resolves the address of the first "test listening" line. */
async function listening(logs: Record<string, unknown>[]): Promise<string> {
  for (;;) {
    const line = logs.find((l) => l.msg === "test listening");
    if (line) return String(line.address);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function refused(address: string): Promise<boolean> {
  return fetch(`http://${address}/`).then(
    () => false,
    () => true,
  );
}

async function takenPort(): Promise<{ address: ListenAddress; close: () => void }> {
  const holder = createNetServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as AddressInfo;
  return { address: { host: "127.0.0.1", port }, close: () => holder.close() };
}

describe("serveUntil", () => {
  it("serves until the signal aborts, then refuses connections and resolves", async () => {
    const logs: Record<string, unknown>[] = [];
    const stop = new AbortController();
    const running = serveUntil(stop.signal, options(logs));
    const address = await listening(logs);
    expect(await (await fetch(`http://${address}/`)).text()).to.equal("ok");
    stop.abort();
    await running;
    expect(await refused(address)).to.equal(true);
  });

  it("returns at once when the signal aborted before it started, listening nowhere", async () => {
    const logs: Record<string, unknown>[] = [];
    await serveUntil(AbortSignal.abort(), options(logs));
    expect(logs).to.deep.equal([]);
  });

  it("closes again when the signal aborts while it is listening", async () => {
    const logs: Record<string, unknown>[] = [];
    const stop = new AbortController();
    // Aborted between the listen call and its completion: the listen is not awaited yet.
    const running = serveUntil(stop.signal, options(logs));
    stop.abort();
    await running;
    const address = logs.find((l) => l.msg === "test listening")?.address;
    expect(address).to.be.a("string");
    expect(await refused(String(address))).to.equal(true);
  });

  it("throws a ListenError naming the address, and closes the addresses it had bound", async () => {
    const taken = await takenPort();
    const logs: Record<string, unknown>[] = [];
    try {
      const outcome = await serveUntil(
        new AbortController().signal,
        options(logs, { addresses: [LOOPBACK, taken.address] }),
      ).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(outcome).to.be.instanceOf(ListenError);
      const err = outcome as ListenError;
      expect(err.part).to.equal("test");
      expect(err.address).to.equal(`127.0.0.1:${taken.address.port}`);
      expect(err.message).to.equal(
        `cannot listen on 127.0.0.1:${taken.address.port}: address already in use`,
      );
      expect(await refused(await listening(logs))).to.equal(true);
    } finally {
      taken.close();
    }
  });

  it("leaves out an address mayFail allows, with its warning; fails when none binds", async () => {
    const taken = await takenPort();
    const logs: Record<string, unknown>[] = [];
    const mayFail = (): string => "going on without it";
    try {
      const stop = new AbortController();
      const running = serveUntil(
        stop.signal,
        options(logs, { addresses: [taken.address, LOOPBACK], mayFail }),
      );
      await listening(logs);
      stop.abort();
      await running;
      expect(logs.map((l) => l.msg)).to.deep.equal(["going on without it", "test listening"]);
      const none = await serveUntil(
        new AbortController().signal,
        options([], { addresses: [taken.address], mayFail }),
      ).catch((err: unknown) => err);
      expect((none as ListenError).reason).to.equal("address already in use");
    } finally {
      taken.close();
    }
  });

  it("gives a request in flight the grace period, then cuts it", async () => {
    const logs: Record<string, unknown>[] = [];
    const stop = new AbortController();
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    // A request that never ends: only the cut ends it.
    const running = serveUntil(
      stop.signal,
      options(logs, { graceMs: 300, handler: () => started() }),
    );
    const address = await listening(logs);
    const request = fetch(`http://${address}/`).then(
      () => "answered",
      () => "cut",
    );
    await inFlight;
    const aborted = Date.now();
    stop.abort();
    // Refused at once for new connections, while the one in flight is still given time.
    expect(await refused(address)).to.equal(true);
    await running;
    const took = Date.now() - aborted;
    expect(await request).to.equal("cut");
    expect(took).to.be.within(250, 2000);
  });

  it("answers a request in flight within the grace period, then ends its connection", async () => {
    const logs: Record<string, unknown>[] = [];
    const stop = new AbortController();
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const running = serveUntil(
      stop.signal,
      options(logs, {
        graceMs: 5000,
        handler: (_req, res) => {
          started();
          setTimeout(() => res.end("late"), 100);
        },
      }),
    );
    const address = await listening(logs);
    const request = fetch(`http://${address}/`).then((r) => r.text());
    await inFlight;
    const aborted = Date.now();
    stop.abort();
    await running;
    expect(await request).to.equal("late");
    // Not held up until the client's keep-alive connection times out (4 s in fetch).
    expect(Date.now() - aborted).to.be.below(1000);
  });
});
