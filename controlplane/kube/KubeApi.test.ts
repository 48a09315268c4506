import { expect } from "chai";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeApi } from "./KubeApi.js";
import { KubeApiError, KubeTimeoutError } from "./KubeApiError.js";

// A plain-HTTP server on loopback standing in for an apiserver's transport: what it answers is
// up to each test, including nothing at all.
async function serve(
  handle: (path: string, res: ServerResponse) => void,
): Promise<{ api: KubeApi; server: Server }> {
  const server = createServer((req, res) => handle(req.url ?? "", res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const access = {
    server: `http://127.0.0.1:${port}`,
    skipTLSVerify: true,
    tls: () => Promise.resolve({}),
    headers: () => Promise.resolve({ authorization: "Bearer t" }),
  };
  return { api: new KubeApi(access, { requestTimeoutMs: 200 }), server };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("KubeApi", () => {
  let stop: (() => void)[] = [];
  afterEach(() => {
    for (const s of stop) s();
    stop = [];
  });
  const start = async (handle: (path: string, res: ServerResponse) => void): Promise<KubeApi> => {
    const { api, server } = await serve(handle);
    stop.push(() => {
      api.close();
      server.closeAllConnections();
      server.close();
    });
    return api;
  };

  it("fails a call the server never answers with KubeTimeoutError after the request timeout", async () => {
    const api = await start(() => undefined);
    const started = Date.now();
    const err = await failure(api.getJson("/api/v1/pods", {}));
    expect(err).to.be.instanceOf(KubeTimeoutError);
    expect((err as Error).message).to.equal(
      "the apiserver did not answer within 0.2 s (GET /api/v1/pods)",
    );
    expect(Date.now() - started).to.be.within(150, 1000);
  });

  it("times out an answer whose body stops halfway", async () => {
    const api = await start((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"items": [');
    });
    expect(await failure(api.getJson("/api/v1/pods", {}))).to.be.instanceOf(KubeTimeoutError);
  });

  it("ends a call when its caller aborts, as an abort, not a timeout", async () => {
    const api = await start(() => undefined);
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 20);
    const err = await failure(api.getJson("/api/v1/pods", {}, caller.signal));
    expect(err).to.not.be.instanceOf(KubeTimeoutError);
    expect((err as Error).name).to.equal("AbortError");
  });

  it("answers JSON, and a non-2xx answer is a KubeApiError with its status", async () => {
    const api = await start((path, res) => {
      const missing = path.includes("missing");
      res.writeHead(missing ? 404 : 200, { "content-type": "application/json" });
      res.end(missing ? '{"kind":"Status","code":404}' : '{"items":[]}');
    });
    expect(await api.getJson("/api/v1/pods", {})).to.deep.equal({ items: [] });
    const err = await failure(api.request({ method: "PATCH", path: "/missing", body: {} }));
    expect(err).to.be.instanceOf(KubeApiError).and.have.property("code", 404);
  });

  it("bounds a watch's wait for its response, then not its events", async () => {
    const silent = await start(() => undefined);
    const onEvent = (): void => undefined;
    const never = await failure(silent.watch("/w", {}, { onEvent }, new AbortController().signal));
    expect(never).to.be.instanceOf(KubeTimeoutError);

    const events: string[] = [];
    const slow = await start((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"type":"ADDED","object":{}}\n');
      // Longer than the request timeout between events: still one healthy watch.
      setTimeout(() => res.end('{"type":"BOOKMARK","object":{}}\n'), 500);
    });
    await slow.watch("/w", {}, { onEvent: (t) => events.push(t) }, new AbortController().signal);
    expect(events).to.deep.equal(["ADDED", "BOOKMARK"]);
  });
});
