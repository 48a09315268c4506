import { createServer, type RequestListener } from "node:http";
import { withHttpDate } from "../common/httpDate.js";
import { httpListener } from "../common/httpListener.js";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { serveUntil } from "../common/serveUntil.js";

export interface SidecarServerOptions {
  /** The part's name in logs; default "sidecar". */
  name?: string;
  addresses: ListenAddress[];
  handler: RequestListener;
  log: Logger;
  /** After SIGTERM, how long requests in flight may take before their connections are cut. */
  shutdownGraceMs: number;
}

// What binding an IPv6 address fails with on a host (or pod network) without IPv6.
const NO_IPV6 = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT"]);

/**
 * One set of the sidecar's HTTP listeners: the API on --listen, or the probes on --probe-listen;
 * one server per address. An IPv6 address the host cannot bind is skipped with a warning:
 * clusters without IPv6 are common, and the IPv4 listener serves them.
 */
export class Sidecar implements Part {
  readonly name: string;

  constructor(private readonly o: SidecarServerOptions) {
    this.name = o.name ?? "sidecar";
  }

  async run(signal: AbortSignal): Promise<void> {
    await serveUntil(signal, {
      name: this.name,
      listening: `${this.name} listening`,
      addresses: this.o.addresses,
      create: () => httpListener(createServer(withHttpDate(this.o.handler))),
      log: this.o.log,
      graceMs: this.o.shutdownGraceMs,
      mayFail: (address, err) =>
        address.host?.includes(":") && NO_IPV6.has(errorCode(err))
          ? "cannot listen on this IPv6 address (no IPv6 here?); going on without it"
          : undefined,
    });
  }
}

function errorCode(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
}
