import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { rawRequest } from "../support/rawHttp.js";
import { startSidecar, type SidecarProcess } from "../support/sidecar.js";

// The sidecar's own edge, as the process runs: nothing here reaches a controlplane (nothing
// listens on port 1), so whatever is refused is refused by the sidecar before any call.
describe("jobhooks sidecar: malformed requests are 4xx problems", function () {
  this.timeout(60_000);
  let sidecar: SidecarProcess;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "jobhooks-sidecar-edge-"));
    writeFileSync(join(dir, "token"), "a-token\n");
    sidecar = await startSidecar({
      controlplane: "127.0.0.1:1",
      tokenFile: join(dir, "token"),
      env: { POD_NAME: "worker-0", POD_NAMESPACE: "ns", JOB_NAME: "job" },
    });
  });

  after(async () => {
    await sidecar.stop();
    rmSync(dir, { recursive: true });
  });

  async function post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(sidecar.url + path, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status >= 400) expect(res.headers.get("content-type")).to.match(/problem\+json/);
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  }

  it("answers malformed percent-escapes in the path and query with 4xx, never 500", async () => {
    // The sidecar's routes have no path parameters: a path is matched as sent, escapes and all.
    for (const path of ["/increment%FF", "/%ED%A0%80", "/job-done-watchers/%FF"]) {
      expect((await post(path, "")).status, path).to.equal(404);
    }
    for (const query of ["pod_name=%FF", "pod_name=%E0%A4", "%FF=x"]) {
      expect((await post(`/increment?${query}`, "")).status, query).to.equal(400);
    }
  });

  it("answers 413 from a Content-Length of 100 MB at once, without waiting for the body", async () => {
    for (const path of ["/increment", "/job-done-watchers"]) {
      const answer = await rawRequest(
        sidecar.url,
        `POST ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-length: ${100 * 1024 * 1024}\r\n\r\n`,
        "{",
      );
      expect(answer.status, path).to.equal(413);
      expect(answer.firstByteMs, path).to.be.below(1000);
      expect(answer.closed, path).to.equal(true);
    }
  });

  it("answers 400 to a body that does not decode, and 415 to an unknown encoding", async () => {
    const bad = await post("/job-done-watchers", Buffer.from("{}"), { "content-encoding": "gzip" });
    expect(bad.status).to.equal(400);
    const truncated = gzipSync("{}").subarray(0, 8);
    expect((await post("/increment", truncated, { "content-encoding": "gzip" })).status).to.equal(
      400,
    );
    expect((await post("/increment", "", { "content-encoding": "compress" })).status).to.equal(415);
    // A body that decodes gets as far as the controlplane, which is not there.
    const good = await post("/job-done-watchers", gzipSync("{}"), { "content-encoding": "gzip" });
    expect(good.status).to.equal(503);
  });

  it("answers 413 to a chunked encoded body past the limit as sent, though it decodes to nothing", async () => {
    // Empty gzip members, one after another: 80 KB that decode to no bytes at all.
    const body = Buffer.concat(Array.from({ length: 4000 }, () => gzipSync("")));
    const answer = await rawRequest(
      sidecar.url,
      "POST /job-done-watchers HTTP/1.1\r\nhost: localhost\r\ncontent-encoding: gzip\r\n" +
        "transfer-encoding: chunked\r\n\r\n",
      Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n")]),
    );
    expect(answer.status).to.equal(413);
  });

  it("refuses a lone UTF-16 surrogate with 400 naming the field", async () => {
    const answer = await post(
      "/job-done-watchers",
      '{"jobDoneTriggerWebhooks":[{"webhookId":"\\ud800"}]}',
    );
    expect(answer.status).to.equal(400);
    expect(answer.json.errors).to.deep.equal([
      {
        field: "jobDoneTriggerWebhooks[0].webhookId",
        message: "must be valid Unicode: a lone UTF-16 surrogate cannot be stored",
      },
    ]);
  });
});
