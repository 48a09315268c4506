import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { createSidecar } from "./createSidecar.js";
import { MAX_BODY_BYTES } from "./route.js";

// Nothing listens on port 1: the controlplane is there in name only, and every call to it fails
// as it does when the real one is down.
const NO_CONTROLPLANE = "127.0.0.1:1";

interface Running {
  url: string;
  logs: Record<string, unknown>[];
  tokenPath: string;
  stop: () => Promise<void>;
}

async function startSidecar(
  env: Record<string, string> = {},
  listen = "127.0.0.1:0",
): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-sidecar-"));
  const tokenPath = join(dir, "token");
  writeFileSync(tokenPath, "a-token\n");
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const { parts, close } = createSidecar(
    { listen, controlplane: NO_CONTROLPLANE, tokenFile: tokenPath },
    { env, log: pino({ level: "info" }, sink) },
  );
  const stop = new AbortController();
  const running = Promise.all(parts.map((p) => p.run(stop.signal)));
  const started = Date.now();
  while (!logs.some((l) => l.msg === "sidecar listening")) {
    if (Date.now() - started > 5000) throw new Error("the sidecar did not listen within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const address = String(logs.find((l) => l.msg === "sidecar listening")?.address);
  return {
    url: `http://${address}`,
    logs,
    tokenPath,
    stop: async () => {
      stop.abort();
      await running;
      close();
      rmSync(dir, { recursive: true });
    },
  };
}

async function call(
  url: string,
  init: RequestInit = {},
): Promise<{
  status: number;
  type: string;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

describe("jobhooks sidecar without a controlplane", function () {
  this.timeout(30_000);
  let sidecar: Running;

  before(async () => {
    sidecar = await startSidecar({
      POD_NAME: "worker-0",
      POD_NAMESPACE: "team",
      JOB_NAME: "report",
    });
  });
  after(async () => {
    await sidecar.stop();
  });

  it("is alive, and not ready while the controlplane cannot be reached", async () => {
    expect((await call(`${sidecar.url}/healthz`)).status).to.equal(200);
    expect((await call(`${sidecar.url}/healthz`, { method: "HEAD" })).status).to.equal(200);
    const ready = await call(`${sidecar.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(ready.text).to.contain("[+] token ok");
    expect(ready.text).to.contain(
      `[-] controlplane: the controlplane at ${NO_CONTROLPLANE} is unavailable`,
    );
  });

  it("answers a counter call with 503 naming the controlplane", async () => {
    const res = await call(`${sidecar.url}/increment`, { method: "POST" });
    expect(res.status).to.equal(503);
    expect(res.type).to.equal("application/problem+json");
    expect(res.headers.get("retry-after")).to.equal("1");
    expect(res.json().detail).to.match(
      new RegExp(`^the controlplane at ${NO_CONTROLPLANE} is unavailable: .+`),
    );
  });

  it("answers 503 naming the token file while it cannot be read, and is not ready", async () => {
    rmSync(sidecar.tokenPath);
    try {
      // The file is stat'ed again at most once a second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await call(`${sidecar.url}/decrement`, { method: "POST" });
      expect(res.status).to.equal(503);
      expect(res.json().detail).to.contain(sidecar.tokenPath).and.contain("ENOENT");
      const ready = await call(`${sidecar.url}/readyz`);
      expect(ready.status).to.equal(503);
      expect(ready.text).to.contain(
        `[-] token: cannot read the ServiceAccount token file ${sidecar.tokenPath}`,
      );
    } finally {
      writeFileSync(sidecar.tokenPath, "a-token\n");
    }
  });

  it("answers unknown routes 404 and other methods 405 with Allow", async () => {
    const missing = await call(`${sidecar.url}/counter`, { method: "POST" });
    expect(missing.status).to.equal(404);
    expect(missing.type).to.equal("application/problem+json");
    const wrong = await call(`${sidecar.url}/increment`);
    expect(wrong.status).to.equal(405);
    expect(wrong.headers.get("allow")).to.equal("POST");
    const ready = await call(`${sidecar.url}/readyz`, { method: "DELETE" });
    expect(ready.status).to.equal(405);
    expect(ready.headers.get("allow")).to.equal("GET, HEAD");
  });

  it("refuses bodies over 64 KiB, other charsets, and other pods", async () => {
    const big = await call(`${sidecar.url}/increment`, {
      method: "POST",
      body: "x".repeat(MAX_BODY_BYTES + 1),
    });
    expect(big.status).to.equal(413);
    const latin1 = await call(`${sidecar.url}/job-done-watchers`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=iso-8859-1" },
      body: "{}",
    });
    expect(latin1.status).to.equal(415);
    const other = await call(`${sidecar.url}/increment?pod_name=worker-1`, { method: "POST" });
    expect(other.status).to.equal(400);
    expect(other.json().detail).to.contain("own pod only (worker-0)");
    const unknown = await call(`${sidecar.url}/increment?pod=worker-0`, { method: "POST" });
    expect(unknown.status).to.equal(400);
  });

  it("checks a watcher body as the REST API does, before calling the controlplane", async () => {
    const post = (body: string, headers: Record<string, string> = {}): ReturnType<typeof call> =>
      call(`${sidecar.url}/job-done-watchers`, { method: "POST", body, headers });
    const malformed = await post("{");
    expect(malformed.status).to.equal(400);
    expect(malformed.json().detail).to.contain("not valid JSON");
    const unknown = await post(JSON.stringify({ jobname: "x" }));
    expect(unknown.status).to.equal(400);
    expect(unknown.json().errors).to.deep.equal([
      { field: "jobname", message: "is not a known field" },
    ]);
    const key = await post("{}", { "idempotency-key": "k".repeat(256) });
    expect(key.status).to.equal(400);
    // A valid body gets as far as the controlplane, which is not there.
    expect((await post("")).status).to.equal(503);
  });
});

describe("jobhooks sidecar listeners", function () {
  this.timeout(30_000);

  it("goes on without an IPv6 address the host cannot bind, with a warning", async () => {
    // fd00::dead is on no interface: binding it fails as ::1 does on a host without IPv6. It is
    // not loopback, so it is given to the listener directly, past the --listen check.
    const { Sidecar } = await import("./Sidecar.js");
    const warning = "cannot listen on this IPv6 address (no IPv6 here?); going on without it";
    const logs: Record<string, unknown>[] = [];
    let warned: () => void = () => {};
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const entry = JSON.parse(chunk.toString()) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === warning) warned();
        done();
      },
    });
    const sidecar = new Sidecar({
      addresses: [
        { host: "127.0.0.1", port: 0 },
        { host: "fd00::dead", port: 0 },
      ],
      handler: (_req, res) => res.end("ok"),
      log: pino({ level: "info" }, sink),
      shutdownGraceMs: 0,
    });
    const stop = new AbortController();
    const skipped = new Promise<void>((resolve) => (warned = resolve));
    const running = sidecar.run(stop.signal);
    await Promise.race([skipped, running]);
    stop.abort();
    await running;
    expect(logs.map((l) => l.msg)).to.deep.equal(["sidecar listening", warning]);
  });

  it("refuses a watcher without a Job to default to", async () => {
    const sidecar = await startSidecar({ POD_NAMESPACE: "team" });
    try {
      const res = await call(`${sidecar.url}/job-done-watchers`, { method: "POST", body: "{}" });
      expect(res.status).to.equal(400);
      expect(res.json().detail).to.contain("JOB_NAME");
    } finally {
      await sidecar.stop();
    }
  });
});
