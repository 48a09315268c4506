import type { JobhooksApi } from "../contract/JobhooksApi.js";
import { PodCounterServiceDefinition } from "../proto/gen/jobhooks/v1/podcounter.js";
import { JobDoneWatcherServiceDefinition } from "../proto/gen/jobhooks/v1/watchers.js";
import { WebhookServiceDefinition } from "../proto/gen/jobhooks/v1/webhooks.js";
import type { ControlplaneClients } from "./clients.js";
import type { ControlplaneClientOptions } from "./connect.js";
import { grpcOperations } from "./grpcApi.js";
import { controlplaneReady } from "./lite/health.js";
import { Http2Channel } from "./lite/Http2Channel.js";
import {
  createLiteClient,
  liteCallOptions,
  liteDefaults,
  type LiteCallOptions,
  type ServiceDefinition,
} from "./lite/liteClient.js";

/** The controlplane's services over the light client (unary calls only). */
export function connectLiteControlplane(
  channel: Http2Channel,
  o: ControlplaneClientOptions = {},
): ControlplaneClients<LiteCallOptions> {
  const defaults = liteDefaults(o);
  // The generated clients' types describe what createLiteClient builds from their definitions.
  type Clients = ControlplaneClients<LiteCallOptions>;
  const client = (definition: ServiceDefinition): unknown =>
    createLiteClient(definition, channel, defaults);
  return {
    webhooks: client(WebhookServiceDefinition) as Clients["webhooks"],
    watchers: client(JobDoneWatcherServiceDefinition) as Clients["watchers"],
    podCounter: client(PodCounterServiceDefinition) as Clients["podCounter"],
    close: () => channel.close(),
  };
}

/**
 * jobhooks' API at `address` (HOST:PORT) over the light gRPC client (node:http2, no grpc-js):
 * for the gateway, which makes unary calls only (watch() is not served). Ready while the
 * controlplane answers its gRPC health check with SERVING. The sidecar's is sidecarApi.ts.
 */
export function connectLiteApi(address: string, o: ControlplaneClientOptions = {}): JobhooksApi {
  const channel = new Http2Channel(address);
  const clients = connectLiteControlplane(channel, o);
  return {
    ...grpcOperations(clients, liteCallOptions),
    ready: () => controlplaneReady(channel),
    close: () => clients.close(),
  };
}
