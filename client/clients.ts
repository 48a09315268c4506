import type { CallOptions } from "nice-grpc-common";
import type { PodCounterServiceClient } from "../proto/gen/jobhooks/v1/podcounter.js";
import type { JobDoneWatcherServiceClient } from "../proto/gen/jobhooks/v1/watchers.js";
import type { WebhookServiceClient } from "../proto/gen/jobhooks/v1/webhooks.js";

/**
 * The controlplane's services, as the gateway and the sidecar call them, with call options `O`
 * (nice-grpc's and its middlewares', or the light client's). Types only: nothing of nice-grpc
 * is loaded for them.
 */
export interface ControlplaneClients<O extends CallOptions> {
  webhooks: WebhookServiceClient<O>;
  watchers: JobDoneWatcherServiceClient<O>;
  podCounter: PodCounterServiceClient<O>;
  close(): void;
}
