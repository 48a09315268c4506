// The REST API, k8s-job-webhooks' wire format extended. This document is the single truth of the
// REST API: it is served at /openapi.json, its request schemas validate every request
// (validators.ts), the TypeScript shapes of bodies derive from it (shapes.ts), its paths are
// the routes and the 405 table (gateway), and a test checks real responses against it.

import { counterPaths, counterSchemas } from "./counter.js";
import { deliveryPaths, deliverySchemas } from "./deliveries.js";
import { dnsLabel } from "./parts.js";
import { watcherPaths, watcherSchemas } from "./watchers.js";
import { webhookPaths, webhookSchemas } from "./webhooks.js";

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "jobhooks REST API",
    version: "1",
    description:
      "Webhooks called when Kubernetes Jobs finish. Wire-compatible with k8s-job-webhooks; fields beyond it are additions. A method a path does not list is answered 405 with Allow. Request bodies may be sent with Content-Encoding gzip, deflate or br; they are read as UTF-8 JSON whatever their Content-Type.",
  },
  paths: { ...counterPaths, ...webhookPaths, ...watcherPaths, ...deliveryPaths },
  components: {
    schemas: {
      ...counterSchemas,
      ...webhookSchemas,
      ...watcherSchemas,
      ...deliverySchemas,
      DnsLabel: dnsLabel,
      Problem: {
        type: "object",
        required: ["type", "title", "status", "detail"],
        properties: {
          type: { type: "string" },
          title: { type: "string" },
          status: { type: "integer" },
          detail: { type: "string" },
          errors: {
            type: "array",
            items: {
              type: "object",
              required: ["field", "message"],
              properties: { field: { type: "string" }, message: { type: "string" } },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
  },
} as const;
