import * as k8s from "@kubernetes/client-node";
import { HealthServer } from "../common/HealthServer.js";
import { loadKubeConfig } from "../common/kubeconfig.js";
import { parseListenAddress } from "../common/listenAddress.js";
import { createLogger } from "../common/logger.js";
import { runGroup, type Part } from "../common/runGroup.js";
import { VERSION } from "../common/version.js";
import { createControlplane } from "../controlplane/Controlplane.js";
import { controlplaneConfig } from "./controlplaneConfig.js";
import type { CommonOptions, ControlplaneOptions, KubeOptions } from "./options.js";

/** Which server process to run; `all` is controlplane and gateway in one process. */
export type ServerRole = "controlplane" | "gateway" | "sidecar" | "all";

export type ServeOptions = CommonOptions & KubeOptions & Partial<ControlplaneOptions>;

/**
 * Starts a server process: its parts run as a group until SIGTERM or SIGINT, or until one fails.
 * Options are checked before anything listens, so bad input exits at once with a clear message.
 */
export async function serve(role: ServerRole, options: ServeOptions): Promise<void> {
  const log = createLogger(options.logLevel, role);
  const health = new HealthServer(parseListenAddress(options.healthListen), log);
  const parts: Part[] = [health];
  let close = (): void => {};
  if (role === "controlplane" || role === "all") {
    const kc = loadKubeConfig(options);
    const version = kc.makeApiClient(k8s.VersionApi);
    health.addReadinessCheck("kube-apiserver", async () => {
      await version.getCode();
      return true;
    });
    log.info({ server: kc.getCurrentCluster()?.server }, "using Kubernetes API server");
    const config = controlplaneConfig(options as ControlplaneOptions, kc, log);
    const controlplane = createControlplane(config, health);
    parts.push(...controlplane.parts);
    close = () => {
      controlplane.close();
    };
  }
  log.info({ version: VERSION }, `jobhooks ${role} starting`);

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, "shutting down");
    stop.abort();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    await runGroup(parts, stop.signal, log);
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    close();
  }
  log.info("stopped");
}
