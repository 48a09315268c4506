import type { RequestListener, Server } from "node:http";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { listenAll } from "./listenAll.js";

export interface SidecarServerOptions {
  /** The part's name in logs; default "sidecar". */
  name?: string;
  addresses: ListenAddress[];
  handler: RequestListener;
  log: Logger;
  /** After SIGTERM, how long requests in flight may take before their connections are cut. */
  shutdownGraceMs: number;
}

/** One set of the sidecar's HTTP listeners: the API on --listen, or the probes on --probe-listen. */
export class Sidecar implements Part {
  readonly name: string;

  constructor(private readonly o: SidecarServerOptions) {
    this.name = o.name ?? "sidecar";
  }

  async run(signal: AbortSignal): Promise<void> {
    const servers = await listenAll(this.o.addresses, this.o.handler, this.o.log, this.name);
    if (!signal.aborted) {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true }),
      );
    }
    await Promise.all(servers.map((server) => this.close(server)));
  }

  // New connections are refused at once; requests in flight get the grace period to finish.
  private async close(server: Server): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), this.o.shutdownGraceMs);
    await closed;
    clearTimeout(timer);
  }
}
