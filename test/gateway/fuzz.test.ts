import { expect } from "chai";
import { MAX_BODY_BYTES } from "../../http-gateway/app.js";
import fc from "fast-check";
import { responseValidator } from "../support/responseValidator.js";
import { sharedCluster } from "../support/cluster.js";
import { startControlplane, type ControlplaneProcess } from "../support/controlplane.js";

const RUNS = 1200;

const segment = fc.string({ maxLength: 40 }).map(encodeURIComponent);
const path = fc.oneof(
  fc.constantFrom("/webhooks", "/job-done-watchers", "/openapi.json", "/", "/increment"),
  segment.map((s) => `/webhooks/${s}`),
  segment.map((s) => `/job-done-watchers/${s}`),
  segment.map((s) => `/job-done-watchers/${s}/cancel`),
  fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join("/")}`),
);
const query = fc.option(
  fc.dictionary(
    fc.constantFrom("jobName", "status", "namespace", "limit", "x"),
    fc.string({ maxLength: 80 }),
    { maxKeys: 3 },
  ),
  { nil: undefined },
);
// Printable ASCII: what an HTTP header can carry at all.
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});
const field = fc.constantFrom(
  "url",
  "requestBody",
  "description",
  "secret",
  "jobName",
  "cronJobName",
  "namespace",
  "timeoutSeconds",
  "notifyOn",
  "jobDoneTriggerWebhooks",
  "id",
);
const body = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(field, fc.jsonValue(), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        jobName: fc.string({ maxLength: 70 }),
        timeoutSeconds: fc.oneof(fc.integer(), fc.double()),
        jobDoneTriggerWebhooks: fc.array(
          fc.record({
            webhookId: fc.string(),
            timeoutSeconds: fc.integer({ min: -5, max: 3_000_000 }),
          }),
          { maxLength: 40 },
        ),
      })
      .map((o) => JSON.stringify(o)),
  },
  { weight: 1, arbitrary: fc.constant(`{"url":"${"x".repeat(1024 * 1024)}"}`) },
);
const request = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
  path,
  query,
  contentType: fc.option(
    fc.oneof(
      fc.constantFrom(
        "application/json",
        "text/plain",
        "application/json; charset=latin1",
        "application/xml",
      ),
      headerText,
    ),
    { nil: undefined },
  ),
  idempotencyKey: fc.option(headerText, { nil: undefined }),
  body,
});

describe("gateway: generated malformed requests @cluster", function () {
  this.timeout(20 * 60_000);
  let gw: ControlplaneProcess;

  before(async () => {
    gw = await startControlplane(await sharedCluster(), { role: "all" });
  });

  after(async () => {
    await gw.stop();
  });

  it(`answers ${RUNS} generated requests without a 5xx, every error as problem+json, and stays healthy`, async function () {
    this.timeout(300_000);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const url = new URL(gw.restUrl + r.path);
        for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, v);
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers["content-type"] = r.contentType;
        if (r.idempotencyKey !== undefined) headers["idempotency-key"] = r.idempotencyKey;
        const sent = fetch(url, {
          method: r.method,
          headers,
          ...(r.method !== "GET" && { body: r.body }),
          signal: AbortSignal.timeout(10_000),
        });
        // A body declared over the limit is answered 413 before it is read, and the connection
        // closed (Connection: close): a client still sending may see the close (EPIPE) before
        // the answer. That is the server refusing, not failing.
        const tooLarge = r.method !== "GET" && Buffer.byteLength(r.body) > MAX_BODY_BYTES;
        const res = await sent.catch((err: unknown) => {
          const cause = (err as { cause?: { code?: string } }).cause?.code;
          if (tooLarge && (cause === "EPIPE" || cause === "ECONNRESET")) return undefined;
          throw err;
        });
        if (!res) return;
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(
          res.status,
          `${r.method} ${url.pathname}${url.search}: ${text.slice(0, 300)}`,
        ).to.be.below(500);
        if (res.status >= 400) {
          expect(res.headers.get("content-type")).to.match(/^application\/problem\+json/);
          const problem = JSON.parse(text) as unknown;
          expect(responseValidator("Problem")(problem), text).to.equal(true);
        }
      }),
      { numRuns: RUNS },
    );
    console.log(
      `      statuses: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(" ")}`,
    );
    expect((await fetch(`${gw.restUrl}/webhooks`)).status).to.equal(200);
    expect((await fetch(`http://${gw.healthAddress}/readyz`)).status).to.equal(200);
    expect(gw.child.exitCode).to.equal(null);
  });
});
