// The TypeScript shapes of request and response bodies, derived from the document's schemas:
// a field added to a schema appears here, and code that builds or reads a body must follow.
import type { FromSchema, JSONSchema } from "json-schema-to-ts";
import type { openApiDocument } from "./openapi/document.js";

type Components = typeof openApiDocument.components;
type Schemas = Components["schemas"];

// A schema as json-schema-to-ts reads it: with the document's components beside it, so that its
// "#/components/schemas/…" references resolve; a field with a default may still be left out.
type Shape<S extends JSONSchema> = FromSchema<
  S & { readonly components: Components },
  { keepDefaultedPropertiesOptional: true }
>;

export type WebhookCreateJson = Shape<Schemas["WebhookCreate"]>;
export type WebhookJson = Shape<Schemas["Webhook"]>;
export type WebhookRecoverJson = Shape<Schemas["WebhookRecover"]>;
export type WebhookRecoveryJson = Shape<Schemas["WebhookRecovery"]>;
export type SecretRotationJson = Shape<Schemas["WebhookSecretRotation"]>;
export type WatcherCreateJson = Shape<Schemas["JobDoneWatcherCreate"]>;
/** The sidecar's: jobName may be left out, it defaults to the pod's own Job. */
export type SidecarWatcherCreateJson = Shape<Omit<Schemas["JobDoneWatcherCreate"], "oneOf">>;
export type WatcherJson = Shape<Schemas["JobDoneWatcher"]>;
export type ProblemJson = Shape<Schemas["Problem"]>;
export type DeliveryAttemptJson = Shape<Schemas["DeliveryAttempt"]>;
