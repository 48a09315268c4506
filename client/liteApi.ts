import type { CallOptions, JobhooksApi } from "../contract/JobhooksApi.js";
import { PodCounterServiceDefinition } from "../proto/gen/jobhooks/v1/podcounter.js";
import { JobDoneWatcherServiceDefinition } from "../proto/gen/jobhooks/v1/watchers.js";
import { WebhookServiceDefinition } from "../proto/gen/jobhooks/v1/webhooks.js";
import type { ControlplaneClients } from "./clients.js";
import type { ControlplaneClientOptions } from "./connect.js";
import { grpcOperations } from "./grpcApi.js";
import { checkHealth, SERVING, SERVING_STATUS } from "./lite/health.js";
import { Http2Channel } from "./lite/Http2Channel.js";
import {
  createLiteClient,
  type LiteCallOptions,
  type ServiceDefinition,
} from "./lite/liteClient.js";

/** How long a readiness check waits for the controlplane's gRPC health answer. */
const HEALTH_TIMEOUT_MS = 2000;

/** The caller's credentials and the call's wishes, as the light client's call options. */
export function liteCallOptions(o: CallOptions): LiteCallOptions {
  return {
    ...(o.authorization && { authorization: o.authorization }),
    ...(o.signal && { signal: o.signal }),
    ...(o.retry !== undefined && { retry: o.retry }),
  };
}

/** The controlplane's services over the light client (unary calls only). */
export function connectLiteControlplane(
  channel: Http2Channel,
  o: ControlplaneClientOptions = {},
): ControlplaneClients<LiteCallOptions> {
  const defaults: LiteCallOptions = {
    ...(o.deadlineMs !== undefined && { deadline: o.deadlineMs }),
    ...(o.retryMaxAttempts !== undefined && { retryMaxAttempts: o.retryMaxAttempts }),
  };
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
 * for the sidecar, which makes unary calls only (watch() is not served). Ready while the
 * controlplane answers its gRPC health check with SERVING.
 */
export function connectLiteApi(address: string, o: ControlplaneClientOptions = {}): JobhooksApi {
  const channel = new Http2Channel(address);
  const clients = connectLiteControlplane(channel, o);
  return {
    ...grpcOperations(clients, liteCallOptions),
    ready: async () => {
      const status = await checkHealth(channel, "", AbortSignal.timeout(HEALTH_TIMEOUT_MS));
      return status === SERVING ? true : `the controlplane is ${SERVING_STATUS[status]}`;
    },
    close: () => clients.close(),
  };
}
