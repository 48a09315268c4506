import { cloudEventRequest, type CloudEventsMode } from "./cloudEvent.js";
import type { HttpBody } from "./contentType.js";
import type { PayloadContext } from "./payloadContext.js";
import { renderPayload, type CompiledPayload } from "./templates.js";

/** A delivery's request but for the Standard Webhooks headers, which the dispatcher adds. */
export interface PayloadRequest {
  body: string;
  contentType: string;
  /** The webhook's own headers and, for a binary CloudEvent, its ce-* attributes. */
  headers: Record<string, string>;
}

/**
 * What a webhook is sent for one delivery: its rendered body, else `jsonEvent` (the JSON event
 * every webhook without a body template gets), with its rendered headers; then, when the
 * webhook asks for CloudEvents, that body becomes the event's data. Synchronous; throws
 * PayloadRenderError as renderPayload does.
 */
export function payloadRequest(
  compiled: CompiledPayload | undefined,
  context: PayloadContext,
  jsonEvent: HttpBody,
): PayloadRequest {
  if (!compiled) return { ...jsonEvent, headers: {} };
  const { body, headers } = renderPayload(compiled, context);
  const mode = compiled.cloudEvents?.mode;
  if (mode === undefined) return { ...(body ?? jsonEvent), headers };
  // The design: a CloudEvent's data is the rendered body, else the JSON event's `data`.
  const event = asCloudEvent(mode, body ?? eventData(jsonEvent), context);
  return { ...event, headers: { ...headers, ...event.headers } };
}

function asCloudEvent(
  mode: CloudEventsMode,
  data: HttpBody,
  context: PayloadContext,
): PayloadRequest {
  const { namespace, name } = context.job;
  const request = cloudEventRequest(mode, {
    id: context.event.id,
    source: `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`,
    type: `dev.jobhooks.${context.event.type}`,
    subject: `${namespace}/${name}`,
    time: context.event.time,
    data: data.body,
    dataContentType: data.contentType,
  });
  const { "content-type": contentType, ...headers } = request.headers;
  return { body: request.body, contentType: contentType ?? data.contentType, headers };
}

// The JSON event is { type, timestamp, data }: type and time are the CloudEvent's attributes
// already, so only data goes in. Anything else goes whole.
function eventData(jsonEvent: HttpBody): HttpBody {
  try {
    const parsed: unknown = JSON.parse(jsonEvent.body);
    if (typeof parsed === "object" && parsed !== null && "data" in parsed) {
      return { body: JSON.stringify(parsed.data), contentType: "application/json" };
    }
  } catch {
    // Not JSON: a webhook's verbatim requestBody.
  }
  return jsonEvent;
}
