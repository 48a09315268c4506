import type { ReadinessCheck } from "../common/HealthServer.js";
import { readiness } from "../common/readiness.js";
import type { RouteTable } from "../rest/Router.js";
import { sendText } from "../rest/respond.js";
import type { RouteHandler } from "./route.js";

/**
 * /healthz: the process serves. /readyz: every check passes (the token can be read, the
 * controlplane answers); kubelet probes both on the sidecar's own listener.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>): RouteTable<RouteHandler> {
  const healthz: RouteHandler = (_req, res) => {
    sendText(res, 200, "ok\n");
    return Promise.resolve();
  };
  const readyz: RouteHandler = async (_req, res) => {
    const { ready, body } = await readiness(checks);
    sendText(res, ready ? 200 : 503, body);
  };
  return {
    "/healthz": { GET: healthz, HEAD: healthz },
    "/readyz": { GET: readyz, HEAD: readyz },
  };
}
