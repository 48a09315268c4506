import { createServer, type Server } from "nice-grpc";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { HealthDefinition, HealthServiceImpl, type HealthState } from "nice-grpc-server-health";
import { ServerReflection, ServerReflectionService } from "nice-grpc-server-reflection";
import { readFileSync } from "node:fs";
import type { ListenAddress } from "../../common/listenAddress.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { serveUntil } from "../../common/serveUntil.js";
import { PodCounterServiceDefinition } from "../../proto/gen/jobhooks/v1/podcounter.js";
import { JobDoneWatcherServiceDefinition } from "../../proto/gen/jobhooks/v1/watchers.js";
import { WebhookServiceDefinition } from "../../proto/gen/jobhooks/v1/webhooks.js";
import type { Operations } from "../../contract/JobhooksApi.js";
import type { Auth, Caller } from "../auth/Caller.js";
import { authMiddleware, type CallerContext } from "./authMiddleware.js";
import { errorMappingMiddleware } from "./errorMapping.js";
import { grpcListener } from "./grpcListener.js";
import { podCounterService } from "./PodCounterServiceImpl.js";
import { watcherService } from "./WatcherServiceImpl.js";
import { webhookService } from "./WebhookServiceImpl.js";

const SERVICES = [
  WebhookServiceDefinition.fullName,
  JobDoneWatcherServiceDefinition.fullName,
  PodCounterServiceDefinition.fullName,
];
// Compiled by `npm run proto` beside the generated code; read from the source tree at runtime.
const DESCRIPTOR_SET = new URL("../../../proto/gen/jobhooks.binpb", import.meta.url);

export interface GrpcServerOptions {
  address: ListenAddress;
  /** The operations the services serve, for the caller each call authenticates as. */
  service: Operations<Caller>;
  auth: Auth;
  log: Logger;
  health: HealthState;
  /** After SIGTERM, how long open calls (streams) may take before they are cut. */
  shutdownGraceMs: number;
}

/** The controlplane's gRPC API, with grpc.health.v1 and server reflection. */
export class GrpcServer implements Part {
  readonly name = "grpc";

  constructor(private readonly o: GrpcServerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const server: Server<CallerContext> = createServer()
      .use(errorDetailsServerMiddleware)
      .use(errorMappingMiddleware(this.o.log))
      .use(authMiddleware(this.o.auth));
    server.add(WebhookServiceDefinition, webhookService(this.o.service.webhooks));
    server.add(JobDoneWatcherServiceDefinition, watcherService(this.o.service.watchers));
    server.add(PodCounterServiceDefinition, podCounterService(this.o.service.podCounter));
    server.add(HealthDefinition, HealthServiceImpl(this.o.health));
    server.add(ServerReflectionService, ServerReflection(readFileSync(DESCRIPTOR_SET), SERVICES));
    await serveUntil(signal, {
      name: this.name,
      listening: "gRPC listening",
      addresses: [this.o.address],
      create: () => grpcListener(server),
      log: this.o.log,
      graceMs: this.o.shutdownGraceMs,
    });
  }
}
