import type { Server as HttpServer, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Listener } from "./serveUntil.js";

/** A node:http or node:https server, for serveUntil. */
export function httpListener(server: HttpServer | HttpsServer): Listener {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  server.on("request", (_req, res: ServerResponse) => {
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    if (closing) lastOnItsConnection(res);
  });
  return {
    listen: (address) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(address.port, address.host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        closing = true;
        // Called back once every connection has ended, or at once (with an error) when the
        // server never listened.
        server.close(() => resolve());
        server.closeIdleConnections();
        for (const res of inFlight) lastOnItsConnection(res);
      }),
    cut: () => server.closeAllConnections(),
  };
}

// While closing, a keep-alive connection ends with the response in flight on it, rather than
// idling on until its keep-alive timeout holds the close up.
function lastOnItsConnection(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  else res.once("finish", () => res.socket?.end());
}
