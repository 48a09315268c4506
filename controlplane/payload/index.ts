/**
 * Payload templates (design issue 13): what a webhook is sent, rendered from a Liquid template
 * over a Job's outcome, optionally as a CloudEvent. Pure: no Kubernetes, no store.
 */
export { cloudEventRequest, CloudEventsMode, type CloudEventInput } from "./cloudEvent.js";
export { contentTypeOf, type HttpBody } from "./contentType.js";
export { PAYLOAD_LIMITS } from "./limits.js";
export { payloadContext, type PayloadContext, type PayloadContextInput } from "./payloadContext.js";
export { payloadRequest, type PayloadRequest } from "./payloadRequest.js";
export {
  checkPayload,
  compilePayload,
  PayloadRenderError,
  renderPayload,
  type CompiledPayload,
  type PayloadSpec,
  type RenderedPayload,
} from "./templates.js";
export { checkWebhookPayload, payloadSpecOf } from "./webhookPayload.js";
