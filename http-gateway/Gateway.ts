import { createServer } from "node:http";
import { httpListener } from "../common/httpListener.js";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { serveUntil } from "../common/serveUntil.js";
import type { JobhooksApi } from "../contract/JobhooksApi.js";
import { createGatewayHandler } from "./app.js";

export interface GatewayOptions {
  address: ListenAddress;
  /** The API the routes call: the controlplane's own in `all`, over gRPC for a separate gateway. */
  api: Promise<JobhooksApi>;
  log: Logger;
  /** After SIGTERM, how long requests in flight may take before they are cut. */
  shutdownGraceMs: number;
}

/** The REST API's HTTP server. */
export class Gateway implements Part {
  readonly name = "gateway";

  constructor(private readonly o: GatewayOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const api = await this.o.api;
    try {
      await serveUntil(signal, {
        name: this.name,
        listening: "REST API listening",
        addresses: [this.o.address],
        create: () => httpListener(createServer(createGatewayHandler(api, this.o.log))),
        log: this.o.log,
        graceMs: this.o.shutdownGraceMs,
      });
    } finally {
      api.close();
    }
  }
}
