import { createClient } from "nice-grpc";
import {
  HealthDefinition,
  HealthCheckResponse_ServingStatus,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import type { RemoteControlplaneClients } from "../client/connect.js";
import type { ReadinessCheck } from "../common/HealthServer.js";

/** Ready while the controlplane answers its gRPC health check with SERVING. */
export function controlplaneReachable(clients: RemoteControlplaneClients): ReadinessCheck {
  const health = createClient(HealthDefinition, clients.channel);
  return async () => {
    const { status } = await health.check({ service: "" }, { signal: AbortSignal.timeout(2000) });
    return status === HealthCheckResponse_ServingStatus.SERVING
      ? true
      : `the controlplane is ${HealthCheckResponse_ServingStatus[status]}`;
  };
}
