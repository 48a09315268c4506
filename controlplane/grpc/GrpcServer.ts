import type { ListenAddress } from "../../common/listenAddress.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import { serveUntil } from "../../common/serveUntil.js";
import type { Operations } from "../../contract/JobhooksApi.js";
import type { Auth, Caller } from "../auth/Caller.js";
import type { ServingSignal } from "../servingState.js";
import { grpcListener } from "./grpcListener.js";

export interface GrpcServerOptions {
  address: ListenAddress;
  /** The operations the services serve, for the caller each call authenticates as. */
  service: Operations<Caller>;
  auth: Auth;
  log: Logger;
  /** Where grpc-js's own log lines go (as part "grpc-js"). */
  processLog: Logger;
  /** Whether the gRPC health check answers SERVING. */
  health: ServingSignal;
  /** After SIGTERM, how long open calls (streams) may take before they are cut. */
  shutdownGraceMs: number;
}

/**
 * The controlplane's gRPC API, with grpc.health.v1 and server reflection. grpc-js, nice-grpc and
 * the generated code (about 150 ms of CPU to load) are loaded when the part runs, not when the
 * process assembles its parts: `jobhooks all` opens its REST listener meanwhile.
 */
export class GrpcServer implements Part {
  readonly name = "grpc";

  constructor(private readonly o: GrpcServerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { createGrpcServer } = await import("./createGrpcServer.js");
    const server = createGrpcServer(this.o);
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
