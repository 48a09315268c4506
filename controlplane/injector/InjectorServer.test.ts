import { expect } from "chai";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../common/pinoLogger.js";
import { createCertificateAuthority, issueCertificate, type PemPair } from "./pki.js";
import { CertificateError, CertificateFiles } from "./ServingCertificates.js";
import { InjectorServer } from "./InjectorServer.js";
import { parseListenAddress } from "../../common/listenAddress.js";

interface Answer {
  status: number;
  body: string;
  peer: PeerCertificate;
}

// A real HTTPS call that trusts only `ca`.
function call(
  port: number,
  ca: string,
  o: { method?: string; path?: string; body?: string },
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: o.method ?? "POST",
        path: o.path ?? "/inject",
        ca,
        agent: false,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            peer,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(o.body);
  });
}

const review = {
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: "u-1",
    kind: { group: "", version: "v1", kind: "Pod" },
    operation: "CREATE",
    object: {
      metadata: { annotations: { "jobhooks.dev/inject": "true" } },
      spec: { containers: [{ name: "work" }] },
    },
  },
};

describe("InjectorServer with certificate files", function () {
  this.timeout(20_000);
  let dir: string;
  let stop: AbortController;
  let running: Promise<void>;
  let port: number;
  let caA: string;
  let files: CertificateFiles;

  async function pair(): Promise<{ caPem: string; leaf: PemPair }> {
    const ca = await createCertificateAuthority("test CA");
    const leaf = await issueCertificate(ca, {
      commonName: "injector",
      ipAddresses: ["127.0.0.1"],
      usages: ["server"],
    });
    return { caPem: ca.certPem, leaf };
  }

  // As a mounted Secret changes: new files renamed into place.
  function install(leaf: PemPair): void {
    writeFileSync(join(dir, "tls.crt.new"), leaf.certPem);
    writeFileSync(join(dir, "tls.key.new"), leaf.keyPem);
    renameSync(join(dir, "tls.crt.new"), join(dir, "tls.crt"));
    renameSync(join(dir, "tls.key.new"), join(dir, "tls.key"));
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "jobhooks-injector-"));
    const a = await pair();
    caA = a.caPem;
    install(a.leaf);
    const log = createLogger("silent", "test");
    files = new CertificateFiles(
      { certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key") },
      log,
      100,
    );
    const server = new InjectorServer({
      address: parseListenAddress("127.0.0.1:0"),
      certificates: files,
      sidecar: {
        image: "jobhooks:test",
        controlplane: "cp:9090",
        audience: "jobhooks",
        probePort: 8182,
        tokenSeconds: 3600,
      },
      log,
    });
    stop = new AbortController();
    // The port it bound, from its "listening" log line.
    const listening = new Promise<number>((resolve) => {
      const original = log.info.bind(log);
      log.info = (obj: unknown, msg?: string) => {
        const { address } = obj as { address?: string };
        if (msg === "admission webhook listening") resolve(Number(address?.split(":").pop()));
        original(obj, msg);
      };
    });
    running = Promise.all([server.run(stop.signal), files.run(stop.signal)]).then(() => {});
    port = await listening;
  });

  after(async () => {
    stop.abort();
    await running;
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers an AdmissionReview with the sidecar patch", async () => {
    const answer = await call(port, caA, { body: JSON.stringify(review) });
    expect(answer.status).to.equal(200);
    const out = JSON.parse(answer.body) as { response: { uid: string; patchType: string } };
    expect(out.response).to.include({ uid: "u-1", patchType: "JSONPatch" });
  });

  it("refuses what is not an AdmissionReview, other paths and methods", async () => {
    expect((await call(port, caA, { body: "{" })).status).to.equal(400);
    expect((await call(port, caA, { body: '{"kind":"Pod"}' })).status).to.equal(400);
    expect((await call(port, caA, { path: "/other", body: "{}" })).status).to.equal(404);
    expect((await call(port, caA, { method: "GET" })).status).to.equal(405);
    const big = JSON.stringify({ ...review, padding: "x".repeat(5 * 1024 * 1024) });
    // The server answers before reading the whole body, as soon as Content-Length says too much.
    expect((await call(port, caA, { body: big })).status).to.equal(413);
  });

  it("serves a renewed certificate without a restart, and keeps the old one while a new pair is half written", async () => {
    const before = await call(port, caA, { body: JSON.stringify(review) });
    const b = await pair();
    // Only the certificate so far: it does not match the key, so the old pair stays.
    writeFileSync(join(dir, "tls.crt"), b.leaf.certPem);
    await new Promise((r) => setTimeout(r, 400));
    expect((await call(port, caA, { body: JSON.stringify(review) })).peer.fingerprint256).to.equal(
      before.peer.fingerprint256,
    );
    install(b.leaf);
    const deadline = Date.now() + 5000;
    let answer: Answer | undefined;
    while (Date.now() < deadline) {
      answer = await call(port, b.caPem, { body: JSON.stringify(review) }).catch(() => undefined);
      if (answer) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer?.status).to.equal(200);
    expect(answer?.peer.fingerprint256).to.not.equal(before.peer.fingerprint256);
    // The old CA no longer verifies the server.
    await call(port, caA, { body: "{}" }).then(
      () => expect.fail("the old certificate is still served"),
      (err: unknown) => expect(String(err)).to.match(/certificate|verify/i),
    );
  });

  it("refuses files that are not a certificate and its key, at start", () => {
    writeFileSync(join(dir, "junk"), "not a certificate");
    const log = createLogger("silent", "test");
    expect(
      () => new CertificateFiles({ certFile: join(dir, "junk"), keyFile: join(dir, "junk") }, log),
    ).to.throw(CertificateError, /not a usable certificate and key/);
    expect(
      () =>
        new CertificateFiles({ certFile: join(dir, "missing"), keyFile: join(dir, "junk") }, log),
    ).to.throw(CertificateError, /cannot read/);
  });
});
