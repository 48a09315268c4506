import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { listen } from "../common/HealthServer.js";
import { formatListenAddress, type ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
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
    const server: Server = createServer(createGatewayHandler(api, this.o.log));
    await listen(server, this.o.address);
    const { port } = server.address() as AddressInfo;
    this.o.log.info(
      { address: formatListenAddress({ host: this.o.address.host, port }) },
      "REST API listening",
    );
    await new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), this.o.shutdownGraceMs);
    await closed;
    clearTimeout(timer);
    api.close();
  }
}
