import { expect } from "chai";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { responseValidator } from "../support/responseValidator.js";
import { sharedCluster } from "../support/cluster.js";
import type { JobhooksProcess } from "../support/controlplane.js";
import { LAYOUTS, startLayout, type RunningLayout } from "../support/layouts.js";
import { nonConformance } from "../support/openapiConformance.js";
import { rawRequest } from "../support/rawHttp.js";

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

const HOOK = JSON.stringify({ url: "http://127.0.0.1:59999/malformed" });
const MiB = 1024 * 1024;

// The document's path template of a path this suite calls.
function templateOf(path: string): string {
  return path
    .replace(/^\/job-done-watchers\/[^/]+/, "/job-done-watchers/{id}")
    .replace(/^\/webhooks\/[^/]+/, "/webhooks/{id}");
}

// Both shipped layouts: the gateway in the controlplane's process, and alone over gRPC (where a
// string crosses protobuf, which cannot carry a lone surrogate).
for (const { layout, name } of LAYOUTS) {
  describe(`gateway (${name}): malformed requests are 4xx problems @cluster`, function () {
    this.timeout(5 * 60_000);
    let running: RunningLayout;
    let gw: JobhooksProcess;

    before(async () => {
      running = await startLayout(await sharedCluster(), layout);
      gw = running.gw;
    });

    after(async () => {
      await running.stop();
    });

    async function call(method: string, path: string, init: RequestInit = {}): Promise<Answer> {
      const res = await fetch(gw.restUrl + path, {
        method,
        ...init,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const type = res.headers.get("content-type") ?? "";
      const body = (text === "" ? {} : JSON.parse(text)) as Record<string, unknown>;
      if (res.status >= 400) {
        expect(type, text).to.match(/^application\/problem\+json/);
        expect(responseValidator("Problem")(body), text).to.equal(true);
      }
      const reply = { status: res.status, contentType: type, body, headers: res.headers };
      expect(nonConformance(method, templateOf(path), reply), `${method} ${path}`).to.deep.equal(
        [],
      );
      return { status: res.status, type, body };
    }

    const fields = (a: Answer): string[] =>
      ((a.body.errors ?? []) as { field: string }[]).map((e) => e.field);

    it("answers 400 to a path id that is not valid percent-encoded UTF-8", async () => {
      // A lone byte, a cut sequence, an encoded surrogate, an overlong encoding.
      for (const id of ["%FF", "%E0%A4", "%ED%A0%80", "%C0%AF", "a%zz"]) {
        expect((await call("GET", `/webhooks/${id}`)).status, id).to.equal(400);
        expect((await call("GET", `/job-done-watchers/${id}`)).status, id).to.equal(400);
        expect((await call("POST", `/job-done-watchers/${id}/cancel`)).status, id).to.equal(400);
      }
      // Well-formed escapes still reach the route.
      expect((await call("GET", "/webhooks/%E2%9C%93")).status).to.equal(404);
    });

    it("reads gzip, deflate and br bodies, and answers 400 to one that does not decode", async () => {
      const sent = async (encoding: string, body: Buffer): Promise<Answer> =>
        call("POST", "/webhooks", {
          headers: { "content-type": "application/json", "content-encoding": encoding },
          body,
        });
      expect((await sent("gzip", gzipSync(HOOK))).status).to.equal(201);
      expect((await sent("deflate", deflateSync(HOOK))).status).to.equal(201);
      expect((await sent("br", brotliCompressSync(HOOK))).status).to.equal(201);
      const whole = gzipSync(HOOK);
      for (const [encoding, body] of [
        ["gzip", Buffer.from(HOOK)],
        ["deflate", Buffer.from(HOOK)],
        ["br", Buffer.from("not brotli at all")],
        ["gzip", whole.subarray(0, whole.length - 12)],
      ] as const) {
        const answer = await sent(encoding, body);
        expect(answer.status, `${encoding}: ${JSON.stringify(answer.body)}`).to.equal(400);
      }
      const unknown = await sent("compress", Buffer.from(HOOK));
      expect(unknown.status).to.equal(415);
      expect(String(unknown.body.detail)).to.contain("compress");
    });

    it("answers 413 from a Content-Length over 1 MiB at once, without waiting for the body", async () => {
      const { host } = new URL(gw.restUrl);
      const answer = await rawRequest(
        gw.restUrl,
        `POST /webhooks HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n` +
          `content-length: ${100 * 1024 * MiB}\r\n\r\n`,
        '{"url":"',
      );
      expect(answer.status).to.equal(413);
      expect(answer.headers["content-type"]).to.match(/^application\/problem\+json/);
      expect(answer.firstByteMs).to.be.below(1000);
      // Nothing more is read from a client that would send 100 MB: the connection is closed.
      expect(answer.closed).to.equal(true);
    });

    it("answers 413 once a chunked body passes 1 MiB, without reading it to the end", async () => {
      const { host } = new URL(gw.restUrl);
      const chunk = Buffer.alloc(MiB + 1, "x");
      const answer = await rawRequest(
        gw.restUrl,
        `POST /webhooks HTTP/1.1\r\nhost: ${host}\r\ntransfer-encoding: chunked\r\n\r\n`,
        Buffer.concat([
          Buffer.from(`${chunk.length.toString(16)}\r\n`),
          chunk,
          Buffer.from("\r\n"),
        ]),
      );
      expect(answer.status).to.equal(413);
      expect(answer.closed).to.equal(true);
    });

    it("answers 415 to a charset other than UTF-8, and 400 to bytes that are not UTF-8", async () => {
      for (const charset of ["utf-16", "utf-16le", "latin1", "us-ascii"]) {
        const answer = await call("POST", "/webhooks", {
          headers: { "content-type": `application/json; charset=${charset}` },
          body: HOOK,
        });
        expect(answer.status, charset).to.equal(415);
      }
      const utf8 = await call("POST", "/webhooks", {
        headers: { "content-type": "application/json; charset=UTF-8" },
        body: HOOK,
      });
      expect(utf8.status).to.equal(201);
      const latin1 = Buffer.from(
        '{"url":"http://127.0.0.1:59999/x","description":"caf\xe9"}',
        "latin1",
      );
      const notUtf8 = await call("POST", "/webhooks", { body: latin1 });
      expect(notUtf8.status).to.equal(400);
    });

    it("refuses a lone UTF-16 surrogate with 400 naming the field, and keeps a pair", async () => {
      const lone = await call("POST", "/webhooks", {
        body: '{"url":"http://127.0.0.1:59999/x","description":"a\\ud800b"}',
      });
      expect(lone.status).to.equal(400);
      expect(fields(lone)).to.deep.equal(["description"]);
      const low = await call("POST", "/job-done-watchers", {
        body: '{"jobName":"j","jobDoneTriggerWebhooks":[{"webhookId":"\\udc00"}]}',
      });
      expect(low.status).to.equal(400);
      expect(fields(low)).to.deep.equal(["jobDoneTriggerWebhooks[0].webhookId"]);
      const pair = await call("POST", "/webhooks", {
        body: '{"url":"http://127.0.0.1:59999/x","description":"\\ud83d\\ude00"}',
      });
      expect(pair.status).to.equal(201);
      const read = await call("GET", `/webhooks/${String(pair.body.id)}`);
      expect(read.body.description).to.equal("\u{1F600}");
    });
  });
}
