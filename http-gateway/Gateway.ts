import { createServer } from "node:http";
import { httpListener } from "../common/httpListener.js";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { serveUntil } from "../common/serveUntil.js";
import type { JobhooksApi } from "../contract/JobhooksApi.js";
import { createGatewayHandler } from "./app.js";
import { paceRequests, REQUESTS_PER_TURN } from "./paceRequests.js";

export interface GatewayOptions {
  address: ListenAddress;
  /** The API the routes call: the controlplane's own in `all`, over gRPC for a separate gateway. */
  api: Promise<JobhooksApi>;
  log: Logger;
  /** After SIGTERM, how long requests in flight may take before they are cut. */
  shutdownGraceMs: number;
  /**
   * Requests paced (paceRequests.ts), where the event loop is shared with the deliveries (`all`);
   * a gateway of its own shares it with nothing, and starts each request at once.
   */
  paced?: boolean;
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
        create: () => {
          const handler = createGatewayHandler(api, this.o.log);
          const paced = this.o.paced ? paceRequests(REQUESTS_PER_TURN, handler) : handler;
          return httpListener(createServer(paced));
        },
        log: this.o.log,
        graceMs: this.o.shutdownGraceMs,
      });
    } finally {
      api.close();
    }
  }
}
