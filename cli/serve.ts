import { parseDuration } from "../common/duration.js";
import { HealthServer } from "../common/HealthServer.js";
import { IdleCollector } from "../common/IdleCollector.js";
import { parseListenAddress, type ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { JobhooksApi } from "../contract/JobhooksApi.js";
import type { Gateway } from "../http-gateway/Gateway.js";
import type { CommonOptions, ControlplaneOptions, GatewayOptions, KubeOptions } from "./options.js";
import { runUntilSignal, type Assembly } from "./runUntilSignal.js";

// Each role's own modules are imported when the role starts, never at the top of this file: a
// gateway must not load the controlplane's (the Kubernetes client, SQLite, prom-client), which
// cost it tens of MB and hundreds of ms. The sidecar is not served from here (serveSidecar.ts).

/** A server process with a health listener; `all` is controlplane and gateway in one process. */
export type ServerRole = "controlplane" | "gateway" | "all";

export type ServeOptions = CommonOptions &
  KubeOptions &
  Partial<ControlplaneOptions> &
  Partial<GatewayOptions>;

/**
 * Starts a server process: its parts run as a group until SIGTERM or SIGINT, or until one fails.
 * Options are checked before anything listens, so bad input exits at once with a clear message.
 */
export async function serve(role: ServerRole, options: ServeOptions): Promise<void> {
  const { createLogger } = await import("../common/pinoLogger.js");
  const log = createLogger(options.logLevel, role);
  const health = new HealthServer(parseListenAddress(options.healthListen), log);
  const collector = new IdleCollector(log.child({ part: "idle-collector" }));
  const assembly = await assemble(role, options, { health, collector }, log);
  const parts = [health, collector, ...assembly.parts];
  await runUntilSignal(role, { parts, close: assembly.close }, log);
}

async function assemble(
  role: ServerRole,
  o: ServeOptions,
  { health, collector }: { health: HealthServer; collector: IdleCollector },
  log: Logger,
): Promise<Assembly> {
  if (role === "gateway") {
    const listen = parseListenAddress(o.listen ?? "");
    // The gateway's calls are unary, as the sidecar's: the same light client.
    const { connectLiteApi } = await import("../client/liteApi.js");
    const api = connectLiteApi(o.controlplane ?? "");
    health.addReadinessCheck("controlplane", () => api.ready());
    const part = await gateway({ listen, api: Promise.resolve(api), paced: false }, o, log);
    return { parts: [part], close: () => {} };
  }
  const [{ loadKubeAccess }, { controlplaneConfig }, { createControlplane }] = await Promise.all([
    import("../controlplane/kube/kubeconfig.js"),
    import("./controlplaneConfig.js"),
    import("../controlplane/Controlplane.js"),
  ]);
  const kube = loadKubeAccess(o);
  const config = {
    ...controlplaneConfig(o as ControlplaneOptions, kube, log),
    workEnded: () => collector.workEnded(),
  };
  const listen = role === "all" ? parseListenAddress(o.listen ?? "") : undefined;
  log.info({ server: kube.server }, "using Kubernetes API server");
  const controlplane = await createControlplane(config, health);
  // In `all` the gateway calls the controlplane's services in this process, not over gRPC, and
  // shares its event loop with the deliveries: its requests are paced.
  const parts = listen
    ? [
        ...controlplane.parts,
        await gateway({ listen, api: Promise.resolve(controlplane.api), paced: true }, o, log),
      ]
    : controlplane.parts;
  return { parts, close: () => controlplane.close() };
}

/** The REST API's server; `paced` (paceRequests.ts) where it shares the loop with deliveries. */
async function gateway(
  { listen, api, paced }: { listen: ListenAddress; api: Promise<JobhooksApi>; paced: boolean },
  o: ServeOptions,
  log: Logger,
): Promise<Gateway> {
  const { Gateway } = await import("../http-gateway/Gateway.js");
  return new Gateway({
    address: listen,
    api,
    log: log.child({ part: "gateway" }),
    shutdownGraceMs: o.shutdownGrace === undefined ? 10_000 : parseDuration(o.shutdownGrace),
    paced,
  });
}
