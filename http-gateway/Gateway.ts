import { createServer } from "node:http";
import type { ControlplaneClients } from "../client/connect.js";
import { httpListener } from "../common/httpListener.js";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { serveUntil } from "../common/serveUntil.js";
import { createGatewayApp } from "./app.js";

export interface GatewayOptions {
  address: ListenAddress;
  /** Resolves once the controlplane's address is known (in `all`, after its gRPC port is bound). */
  clients: Promise<ControlplaneClients>;
  log: Logger;
  /** After SIGTERM, how long requests in flight may take before they are cut. */
  shutdownGraceMs: number;
}

/** The REST API's HTTP server. */
export class Gateway implements Part {
  readonly name = "gateway";

  constructor(private readonly o: GatewayOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const clients = await this.o.clients;
    try {
      await serveUntil(signal, {
        name: this.name,
        listening: "REST API listening",
        addresses: [this.o.address],
        create: () => httpListener(createServer(createGatewayApp(clients, this.o.log))),
        log: this.o.log,
        graceMs: this.o.shutdownGraceMs,
      });
    } finally {
      clients.close();
    }
  }
}
