import { createClient } from "nice-grpc";
import {
  HealthDefinition,
  HealthCheckResponse_ServingStatus,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import type { JobhooksApi } from "../contract/JobhooksApi.js";
import { connectControlplane, grpcCallOptions, type ControlplaneClientOptions } from "./connect.js";
import { grpcOperations } from "./grpcApi.js";

/** How long a readiness check waits for the controlplane's gRPC health answer. */
const HEALTH_TIMEOUT_MS = 2000;

/**
 * jobhooks' API at `address` (HOST:PORT), over gRPC: for the gateway and the sidecar in their own
 * processes. Ready while the controlplane answers its gRPC health check with SERVING.
 */
export function connectApi(address: string, o: ControlplaneClientOptions = {}): JobhooksApi {
  const clients = connectControlplane(address, o);
  const health = createClient(HealthDefinition, clients.channel);
  return {
    ...grpcOperations(clients, grpcCallOptions),
    ready: async () => {
      const { status } = await health.check(
        { service: "" },
        { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) },
      );
      return status === HealthCheckResponse_ServingStatus.SERVING
        ? true
        : `the controlplane is ${HealthCheckResponse_ServingStatus[status]}`;
    },
    close: () => clients.close(),
  };
}
