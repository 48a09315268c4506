import { expect } from "chai";
import { HTTP } from "cloudevents";
import { failedContext } from "../../test/support/payloadFixtures.js";
import { payloadRequest } from "./payloadRequest.js";
import { compilePayload, type PayloadSpec } from "./templates.js";

const EVENT = {
  body: JSON.stringify({
    type: "job.failed",
    timestamp: "2026-01-01T02:01:30.000Z",
    data: { job: { name: "nightly-report" } },
  }),
  contentType: "application/json",
};
const TEXT_BODY = "{{ job.name }} failed";

function request(spec: PayloadSpec | undefined): ReturnType<typeof payloadRequest> {
  return payloadRequest(spec && compilePayload(spec), failedContext(), EVENT);
}

describe("payloadRequest", () => {
  it("sends the JSON event as it is for a webhook with no payload spec", () => {
    expect(request(undefined)).to.deep.equal({ ...EVENT, headers: {} });
    expect(request({})).to.deep.equal({ ...EVENT, headers: {} });
  });

  it("sends the rendered body and headers", () => {
    expect(request({ body: TEXT_BODY, headers: { "X-Job": "{{ job.uid }}" } })).to.deep.equal({
      body: "nightly-report failed",
      contentType: "text/plain; charset=utf-8",
      headers: { "X-Job": "u-1" },
    });
  });

  it("keeps the JSON event with headers but no body template", () => {
    expect(request({ headers: { "X-Job": "{{ job.uid }}" } })).to.deep.equal({
      ...EVENT,
      headers: { "X-Job": "u-1" },
    });
  });

  it("wraps the rendered body in a binary CloudEvent about the Job", () => {
    const r = request({
      body: TEXT_BODY,
      headers: { "X-Job": "{{ job.uid }}" },
      cloudEvents: { mode: "Binary" },
    });
    expect(r.body).to.equal("nightly-report failed");
    expect(r.contentType).to.equal("text/plain; charset=utf-8");
    expect(r.headers).to.not.have.property("content-type");
    expect(r.headers).to.include({ "X-Job": "u-1", "ce-id": "msg_1" });
    const event = HTTP.toEvent({
      headers: { ...r.headers, "content-type": r.contentType },
      body: r.body,
    });
    expect(event).to.include({
      id: "msg_1",
      type: "dev.jobhooks.job.failed",
      source: "/apis/batch/v1/namespaces/reports/jobs/nightly-report",
      subject: "reports/nightly-report",
      time: "2026-01-01T02:01:30.000Z",
      data: "nightly-report failed",
    });
  });

  it("makes the JSON event's data a structured CloudEvent's data", () => {
    const r = request({ cloudEvents: { mode: "Structured" } });
    expect(r.contentType).to.equal("application/cloudevents+json; charset=utf-8");
    expect(r.headers).to.deep.equal({});
    const envelope = JSON.parse(r.body) as Record<string, unknown>;
    expect(envelope).to.include({ id: "msg_1", datacontenttype: "application/json" });
    expect(envelope["data"]).to.deep.equal({ job: { name: "nightly-report" } });
  });
});
