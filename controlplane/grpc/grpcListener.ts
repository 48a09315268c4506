import type { Server } from "nice-grpc";
import type { Listener } from "../../common/serveUntil.js";

/** A nice-grpc server, for serveUntil. It listens on one address: call listen() once. */
export function grpcListener(server: Server): Listener {
  return {
    listen: ({ host, port }) =>
      server.listen(
        `${host === undefined ? "0.0.0.0" : host.includes(":") ? `[${host}]` : host}:${port}`,
      ),
    // Waits for open calls (streams among them) to end; new ones are refused.
    close: () => server.shutdown(),
    cut: () => server.forceShutdown(),
  };
}
