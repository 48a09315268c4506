import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { listen } from "../common/HealthServer.js";
import { formatListenAddress, type ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";

// What binding an IPv6 address fails with on a host (or pod network) without IPv6.
const NO_IPV6 = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT"]);

function errorCode(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
}

/**
 * One server per address, all with `handler`. An IPv6 address the host cannot bind is skipped
 * with a warning: clusters without IPv6 are common, and the IPv4 listener serves them. Any other
 * failure, or none bound at all, is an error, and what was bound is closed again.
 */
export async function listenAll(
  addresses: ListenAddress[],
  handler: RequestListener,
  log: Logger,
  /** Names the listener in its "NAME listening" log line. */
  name = "sidecar",
): Promise<Server[]> {
  const servers: Server[] = [];
  const skipped: unknown[] = [];
  for (const address of addresses) {
    const server = createServer(handler);
    try {
      await listen(server, address);
    } catch (err) {
      if (address.host?.includes(":") && NO_IPV6.has(errorCode(err))) {
        log.warn(
          { address: formatListenAddress(address), err },
          "cannot listen on this IPv6 address (no IPv6 here?); going on without it",
        );
        skipped.push(err);
        continue;
      }
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      throw err;
    }
    const { port } = server.address() as AddressInfo;
    log.info({ address: formatListenAddress({ host: address.host, port }) }, `${name} listening`);
    servers.push(server);
  }
  if (servers.length === 0) {
    throw new Error(`could not listen on any of ${addresses.map(formatListenAddress).join(", ")}`, {
      cause: skipped[0],
    });
  }
  return servers;
}
