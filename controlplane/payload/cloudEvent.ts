import type { Message } from "cloudevents";
import { lazyModule } from "../../common/lazyModule.js";

// Loaded with the first CloudEvent: most webhooks send plain JSON.
const cloudevents = lazyModule<typeof import("cloudevents")>("cloudevents");

/** How a CloudEvent travels over HTTP (CloudEvents HTTP binding 1.0). */
export const CloudEventsMode = {
  /** Attributes in ce-* headers, the data as the body with its own Content-Type. */
  BINARY: "Binary",
  /** The whole event as an application/cloudevents+json body. */
  STRUCTURED: "Structured",
} as const;
export type CloudEventsMode = (typeof CloudEventsMode)[keyof typeof CloudEventsMode];

/** The attributes and data of one CloudEvent. */
export interface CloudEventInput {
  /** The delivery's webhook-id: the same on every retry, so receivers can deduplicate. */
  id: string;
  /** A URI reference naming the Job, e.g. /apis/batch/v1/namespaces/ops/jobs/backup */
  source: string;
  /** e.g. dev.jobhooks.job.failed */
  type: string;
  /** e.g. ops/backup */
  subject: string;
  /** RFC 3339 */
  time: string;
  /** The data as it would be sent on its own. */
  data: string;
  dataContentType: string;
}

/** The body and headers of a CloudEvent's request; the headers include content-type. */
export interface CloudEventRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * A CloudEvent as an HTTP request in `mode`. JSON data goes in as the parsed value, so a
 * structured event embeds it as JSON rather than as a string holding JSON (binary mode then
 * sends it re-serialized: same value, whitespace not kept).
 */
export function cloudEventRequest(
  mode: CloudEventsMode,
  input: CloudEventInput,
): CloudEventRequest {
  const { CloudEvent, HTTP } = cloudevents();
  const event = new CloudEvent({
    id: input.id,
    source: input.source,
    type: input.type,
    subject: input.subject,
    time: input.time,
    datacontenttype: input.dataContentType,
    data: dataOf(input),
  });
  const message = mode === CloudEventsMode.STRUCTURED ? HTTP.structured(event) : HTTP.binary(event);
  return { body: bodyOf(message), headers: headersOf(message) };
}

function dataOf(input: CloudEventInput): unknown {
  if (!isJson(input.dataContentType)) return input.data;
  try {
    return JSON.parse(input.data);
  } catch {
    return input.data;
  }
}

// application/json, application/problem+json, … with or without parameters.
function isJson(contentType: string): boolean {
  return /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType);
}

function bodyOf(message: Message): string {
  const { body } = message;
  if (typeof body === "string") return body;
  if (Buffer.isBuffer(body)) return body.toString("utf8");
  return body === undefined ? "" : JSON.stringify(body);
}

function headersOf(message: Message): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
