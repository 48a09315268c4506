import type { ReadinessCheck } from "../common/HealthServer.js";
import { readiness } from "./readiness.js";
import { sendText } from "./respond.js";
import type { Route } from "./route.js";

/**
 * /healthz: the process serves. /readyz: every check passes (the token can be read, the
 * controlplane answers); kubelet probes both on the sidecar's own listener.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>): [string, Route][] {
  const methods = ["GET", "HEAD"];
  return [
    [
      "/healthz",
      {
        methods,
        handle: (_req, res) => {
          sendText(res, 200, "ok\n");
          return Promise.resolve();
        },
      },
    ],
    [
      "/readyz",
      {
        methods,
        handle: async (_req, res) => {
          const { ready, body } = await readiness(checks);
          sendText(res, ready ? 200 : 503, body);
        },
      },
    ],
  ];
}
