import { createServer, type Server } from "nice-grpc";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import { ServerReflection, ServerReflectionService } from "nice-grpc-server-reflection";
import { readFileSync } from "node:fs";
import { sendGrpcLogsTo } from "../../common/grpcLogs.js";
import { packageFile } from "../../common/packageFile.js";
import { PodCounterServiceDefinition } from "../../proto/gen/jobhooks/v1/podcounter.js";
import { JobDoneWatcherServiceDefinition } from "../../proto/gen/jobhooks/v1/watchers.js";
import { WebhookServiceDefinition } from "../../proto/gen/jobhooks/v1/webhooks.js";
import { authMiddleware, type CallerContext } from "./authMiddleware.js";
import { errorMappingMiddleware } from "./errorMapping.js";
import type { GrpcServerOptions } from "./GrpcServer.js";
import { podCounterService } from "./PodCounterServiceImpl.js";
import { watcherService } from "./WatcherServiceImpl.js";
import { webhookService } from "./WebhookServiceImpl.js";

const SERVICES = [
  WebhookServiceDefinition.fullName,
  JobDoneWatcherServiceDefinition.fullName,
  PodCounterServiceDefinition.fullName,
];
// Compiled by `npm run proto` beside the generated code; the package ships it.
const DESCRIPTOR_SET = packageFile("proto/gen/jobhooks.binpb");

/**
 * The gRPC server with jobhooks' services, grpc.health.v1 (SERVING while `o.health` says so) and
 * server reflection. This module is what loads grpc-js, nice-grpc and the generated code.
 */
export function createGrpcServer(o: GrpcServerOptions): Server<CallerContext> {
  sendGrpcLogsTo(o.processLog);
  const health = HealthState();
  const update = (): void =>
    health.setStatus(o.health.serving() === true ? "healthy" : "unhealthy");
  update();
  o.health.onChange(update);
  const server: Server<CallerContext> = createServer()
    .use(errorDetailsServerMiddleware)
    .use(errorMappingMiddleware(o.log))
    .use(authMiddleware(o.auth));
  server.add(WebhookServiceDefinition, webhookService(o.service.webhooks));
  server.add(JobDoneWatcherServiceDefinition, watcherService(o.service.watchers));
  server.add(PodCounterServiceDefinition, podCounterService(o.service.podCounter));
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(ServerReflectionService, lazyReflection());
  return server;
}

// Server reflection, its descriptor set read and decoded when a client first asks: decoding it
// took some 50 ms of CPU (and a collection after) at every start, for a tool few clients use.
function lazyReflection(): ReturnType<typeof ServerReflection> {
  let reflection: ReturnType<typeof ServerReflection> | undefined;
  return {
    serverReflectionInfo: (requests, context) => {
      reflection ??= ServerReflection(readFileSync(DESCRIPTOR_SET), SERVICES);
      return reflection.serverReflectionInfo(requests, context);
    },
  };
}
