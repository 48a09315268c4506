import { expect } from "chai";
import { failedContext } from "../../test/support/payloadFixtures.js";
import { ValidationError } from "../watchers/errors.js";
import {
  checkPayload,
  compilePayload,
  PayloadRenderError,
  renderPayload,
  type PayloadSpec,
} from "./templates.js";

const CHAT = `{% capture text -%}
{{ job.name }} failed: {{ job.reason }}, exit code {{ job.failedPods[0].containers[0].exitCode }}
{%- endcapture -%}
{
  "text": {{ text | json }},
  "detail": {{ job.message | json }},
  "cronJob": {{ job.cronJobName | json }}
}`;

function rendered(spec: PayloadSpec, over = {}): ReturnType<typeof renderPayload> {
  return renderPayload(compilePayload(spec), failedContext(over));
}

describe("payload templates", () => {
  it("renders a chat message for a failed Job that stays JSON whatever the message holds", () => {
    const message = 'said "no"\nthen \\ left\ttabbed </script> ✓';
    const { body } = rendered({ body: CHAT }, { message });
    expect(body?.contentType).to.equal("application/json");
    expect(JSON.parse(body?.body ?? "")).to.deep.equal({
      text: "nightly-report failed: BackoffLimitExceeded, exit code 137",
      detail: message,
      cronJob: "nightly",
    });
  });

  it("writes null for what is unknown, so JSON bodies stay JSON", () => {
    const { body } = rendered({ body: CHAT }, { message: undefined, cronJobName: undefined });
    expect(JSON.parse(body?.body ?? "")).to.include({ detail: null, cronJob: null });
  });

  it("labels a body that is not JSON as text, and leaves outputs unescaped", () => {
    const { body } = rendered({ body: "{{ job.name }} <failed> & {{ job.labels.team }}" });
    expect(body).to.deep.equal({
      body: "nightly-report <failed> & data",
      contentType: "text/plain; charset=utf-8",
    });
  });

  it("offers Liquid's own helpers over the context, dates in UTC", () => {
    const body = [
      "{{ job.failedPods | size }} {{ job.failedPods.first.pod }} {{ job.labels.team | upcase }}",
      '{{ job.durationSeconds | divided_by: 60 | round: 1 }} {{ job.finishedAt | date: "%Y-%m-%d %H:%M" }}',
      '{% for p in job.failedPods %}{{ p.containers | map: "reason" | join: "," }}{% endfor %}',
      "{{ webhook.kind }}/{{ webhook.name }} {{ watcher.id }} {{ event.id }} {{ event.type }}",
    ].join("\n");
    expect(rendered({ body }).body?.body.split("\n")).to.deep.equal([
      "1 nightly-report-abcde DATA",
      "1.4 2026-01-01 02:01",
      "OOMKilled",
      "Webhook/slack w-1 msg_1 job.failed",
    ]);
  });

  it("has no body without a body template: the JSON event goes instead", () => {
    expect(rendered({ headers: { "X-Job": "{{ job.name }}" } }).body).to.equal(undefined);
  });

  it("renders header values, leaving out those that render empty", () => {
    const { headers } = rendered({
      headers: {
        "X-Job": "{{ job.namespace }}/{{ job.name }}",
        "X-Paged": '{% if job.outcome == "succeeded" %}yes{% endif %}',
        Authorization: "Bearer {{ job.annotations['jobhooks.dev/webhooks'] }}",
      },
    });
    expect(headers).to.deep.equal({
      "X-Job": "reports/nightly-report",
      Authorization: "Bearer slack",
    });
  });

  it("makes rendered header values safe to send: no line breaks, ASCII only", () => {
    const { headers } = rendered(
      { headers: { "X-Why": "{{ job.message }}" } },
      { message: " line one\r\nX-Injected: yes\n\u0000café ✓ " },
    );
    expect(headers["X-Why"]).to.equal("line one X-Injected: yes caf%C3%A9 %E2%9C%93");
  });

  it("parses each template source once", () => {
    const a = compilePayload({ body: CHAT, headers: { "X-A": "{{ job.uid }}" } });
    const b = compilePayload({ body: CHAT, headers: { "X-B": "{{ job.uid }}" } });
    expect(b.body).to.equal(a.body);
    expect(b.headers[0]?.[1]).to.equal(a.headers[0]?.[1]);
  });

  it("fails a render whose body is larger than a request body may be", () => {
    const spec = { body: "{% for i in (1..2000) %}{{ job.message }}{% endfor %}" };
    expect(() => rendered(spec, { message: "x".repeat(1000) }))
      .to.throw(PayloadRenderError, /^body: renders to 2000000 bytes, more than 1048576$/)
      .with.property("field", "body");
  });
});

describe("checkPayload", () => {
  it("accepts a full spec", () => {
    const spec: PayloadSpec = {
      body: CHAT,
      headers: { "X-Job": "{{ job.name }}", "x-ok_1.~": "static" },
      cloudEvents: { mode: "Structured" },
    };
    expect(checkPayload(spec)).to.deep.equal([]);
    expect(checkPayload({})).to.deep.equal([]);
  });

  it("says where a template does not parse, and why", () => {
    expect(checkPayload({ body: "hello\n  {{ job.name | bogus }}" })).to.deep.equal([
      { field: "body", description: "does not parse: line 2, column 3: undefined filter: bogus" },
    ]);
    expect(checkPayload({ body: "{% if job.name %}unclosed" })).to.deep.equal([
      {
        field: "body",
        description: "does not parse: line 1, column 1: tag {% if job.name %} not closed",
      },
    ]);
    expect(checkPayload({ headers: { "X-A": "{{ job.name" } })).to.deep.equal([
      {
        field: "headers.X-A",
        description: 'does not parse: line 1, column 1: output "{{ job.name" not closed',
      },
    ]);
    expect(checkPayload({ body: "{% nosuchtag %}" })[0]?.description).to.match(
      /tag "nosuchtag" not found/,
    );
  });

  it("refuses header names that are no HTTP token or are jobhooks' own", () => {
    const names = ["Bad Name", "X-Ünï", "", "Host", "content-type", "Content-Length"];
    const reserved = ["Transfer-Encoding", "CONNECTION", "Keep-Alive", "Upgrade", "Expect"];
    const prefixed = ["webhook-id", "Webhook-Signature", "ce-type", "CE-Source"];
    const all = [...names, ...reserved, ...prefixed];
    const violations = checkPayload({ headers: Object.fromEntries(all.map((n) => [n, "x"])) });
    expect(violations.map((v) => v.field)).to.deep.equal(all.map((n) => `headers.${n}`));
    expect(violations[0]?.description).to.match(/must be an HTTP token/);
    expect(violations[3]?.description).to.equal("is set by jobhooks and cannot be given");
    expect(violations.at(-1)?.description).to.equal(
      "ce-* headers are set by jobhooks and cannot be given",
    );
  });

  it("refuses a header named twice in different cases", () => {
    expect(checkPayload({ headers: { "X-Team": "a", "x-team": "b" } })).to.deep.equal([
      { field: "headers.x-team", description: "repeats a header name: names are case-insensitive" },
    ]);
  });

  it("bounds sizes, counting code points as a CRD's maxLength does", () => {
    expect(checkPayload({ body: "😀".repeat(16384) })).to.deep.equal([]);
    expect(checkPayload({ body: "x".repeat(16385) })).to.deep.equal([
      { field: "body", description: "must be at most 16384 characters" },
    ]);
    expect(checkPayload({ headers: { "X-A": "x".repeat(1025) } })).to.deep.equal([
      { field: "headers.X-A", description: "must be at most 1024 characters" },
    ]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, "x"]));
    expect(checkPayload({ headers: many })).to.deep.equal([
      { field: "headers", description: "at most 20 headers" },
    ]);
  });

  it("refuses an unknown CloudEvents mode", () => {
    const spec = { cloudEvents: { mode: "binary" } } as unknown as PayloadSpec;
    expect(checkPayload(spec)).to.deep.equal([
      { field: "cloudEvents.mode", description: "must be one of Binary, Structured" },
    ]);
  });

  it("is what compilePayload throws", () => {
    const spec = { body: "{{ x | nope }}", headers: { Host: "h" } };
    expect(() => compilePayload(spec))
      .to.throw(ValidationError)
      .with.property("violations")
      .that.deep.equals(checkPayload(spec));
  });
});
