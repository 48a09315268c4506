import { connectControlplane, type RemoteControlplaneClients } from "../client/connect.js";
import type { ReadinessCheck } from "../common/HealthServer.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { ControlplaneLink } from "./ControlplaneLink.js";
import { counterRoute } from "./counterRoute.js";
import { handleRequest } from "./handleRequest.js";
import { parseLoopbackListen } from "./loopbackListen.js";
import { parseListenAddress, type ListenAddress } from "../common/listenAddress.js";
import { podIdentityFromEnv } from "./podIdentity.js";
import { healthRoutes } from "./healthRoutes.js";
import type { Route } from "./route.js";
import { Sidecar } from "./Sidecar.js";
import { sidecarProblem } from "./sidecarProblem.js";
import { TokenFile } from "./TokenFile.js";
import { watcherRoute } from "./watcherRoute.js";

/** The sidecar's flags. */
export interface SidecarOptions {
  listen: string;
  controlplane: string;
  tokenFile: string;
  /**
   * Where kubelet probes /healthz and /readyz (e.g. ":8182"): kubelet probes the pod's IP, and
   * the API listens on loopback only. Serves nothing but those two; unset: no such listener.
   */
  probeListen?: string | undefined;
}

export interface SidecarDependencies {
  /** Where POD_NAME, POD_NAMESPACE and JOB_NAME are read. */
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** The controlplane's gRPC health check (cli/readiness.ts). */
  controlplaneHealth: (clients: RemoteControlplaneClients) => ReadinessCheck;
}

/**
 * A controlplane call's attempt; retried calls (see ControlplaneLink) take up to three. Short:
 * the workload waits on it, and a pod counter update is one apiserver patch.
 */
const CALL_DEADLINE_MS = 5000;
/** Native sidecars are stopped after the workload has exited: little can still be in flight. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * `jobhooks sidecar`: checks the flags (a non-loopback --listen is refused here, before anything
 * listens) and returns the part to run.
 */
export function createSidecar(
  o: SidecarOptions,
  deps: SidecarDependencies,
): { parts: Part[]; close: () => void } {
  const addresses = parseLoopbackListen(o.listen);
  const probeAddress = o.probeListen ? parseListenAddress(o.probeListen) : undefined;
  const pod = podIdentityFromEnv(deps.env);
  const { log } = deps;
  log.info({ ...pod, controlplane: o.controlplane, tokenFile: o.tokenFile }, "sidecar identity");
  if (pod.podName === undefined || pod.namespace === undefined) {
    log.warn(
      "POD_NAME or POD_NAMESPACE is not set (the downward API env is missing): the controlplane can tell this pod only from its token, which --auth=none does not read",
    );
  }
  const clients = connectControlplane(o.controlplane, { deadlineMs: CALL_DEADLINE_MS });
  const link = new ControlplaneLink(o.controlplane, clients, new TokenFile(o.tokenFile));
  const controlplaneHealth = deps.controlplaneHealth(clients);
  const checks: Record<string, ReadinessCheck> = {
    token: async () => {
      await link.token.read();
      return true;
    },
    controlplane: () =>
      controlplaneHealth().catch(
        (err: unknown) => sidecarProblem(err, o.controlplane)?.message ?? String(err),
      ),
  };
  const health = healthRoutes(checks);
  const routes = new Map<string, Route>([
    ["/increment", { methods: ["POST"], handle: counterRoute("increment", link, pod) }],
    ["/decrement", { methods: ["POST"], handle: counterRoute("decrement", link, pod) }],
    ["/job-done-watchers", { methods: ["POST"], handle: watcherRoute(link, pod) }],
    ...health,
  ]);
  const server = (name: string, listen: ListenAddress[], served: Map<string, Route>): Sidecar =>
    new Sidecar({
      name,
      addresses: listen,
      handler: handleRequest(served, o.controlplane, log),
      log,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
    });
  const parts = [server("sidecar", addresses, routes)];
  if (probeAddress) parts.push(server("sidecar-probes", [probeAddress], new Map(health)));
  return { parts, close: () => clients.close() };
}
