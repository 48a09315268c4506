import { expect } from "chai";
import { HTTP, type CloudEventV1 } from "cloudevents";
import { cloudEventRequest, CloudEventsMode, type CloudEventInput } from "./cloudEvent.js";

const ATTRIBUTES = {
  id: "msg_2Yh",
  source: "/apis/batch/v1/namespaces/reports/jobs/nightly-report",
  type: "dev.jobhooks.job.failed",
  subject: "reports/nightly-report",
  time: "2026-01-01T02:01:30.000Z",
};

function parsedBack(mode: CloudEventsMode, input: CloudEventInput): CloudEventV1<unknown> {
  const { body, headers } = cloudEventRequest(mode, input);
  const event = HTTP.toEvent<unknown>({ headers, body });
  if (Array.isArray(event)) throw new Error("expected one event, got a batch");
  return event;
}

describe("cloudEventRequest", () => {
  const json = {
    ...ATTRIBUTES,
    data: '{ "text": "nightly-report failed", "pods": [1, 2] }',
    dataContentType: "application/json",
  };
  const text = { ...ATTRIBUTES, data: "nightly-report failed", dataContentType: "text/plain" };

  for (const mode of Object.values(CloudEventsMode)) {
    it(`${mode}: parses back with the SDK to the same attributes and data`, () => {
      for (const input of [json, text]) {
        const event = parsedBack(mode, input);
        expect(event).to.include({ ...ATTRIBUTES, specversion: "1.0" });
        expect(event.datacontenttype).to.equal(input.dataContentType);
        expect(event.data).to.deep.equal(
          input === json ? { text: "nightly-report failed", pods: [1, 2] } : input.data,
        );
      }
    });
  }

  it("Binary: attributes in ce-* headers, the data as the body", () => {
    const { body, headers } = cloudEventRequest(CloudEventsMode.BINARY, json);
    expect(headers).to.include({
      "content-type": "application/json",
      "ce-id": ATTRIBUTES.id,
      "ce-type": ATTRIBUTES.type,
      "ce-source": ATTRIBUTES.source,
      "ce-subject": ATTRIBUTES.subject,
      "ce-time": ATTRIBUTES.time,
      "ce-specversion": "1.0",
    });
    expect(JSON.parse(body)).to.deep.equal({ text: "nightly-report failed", pods: [1, 2] });
  });

  it("Structured: JSON data embedded as JSON, not as a string", () => {
    const { body, headers } = cloudEventRequest(CloudEventsMode.STRUCTURED, json);
    expect(headers).to.deep.equal({
      "content-type": "application/cloudevents+json; charset=utf-8",
    });
    const envelope = JSON.parse(body) as Record<string, unknown>;
    expect(envelope).to.include({ ...ATTRIBUTES, datacontenttype: "application/json" });
    expect(envelope["data"]).to.deep.equal({ text: "nightly-report failed", pods: [1, 2] });
  });

  it("Structured: text data as a string", () => {
    const { body } = cloudEventRequest(CloudEventsMode.STRUCTURED, text);
    expect(JSON.parse(body)).to.include({ data: "nightly-report failed" });
  });
});
