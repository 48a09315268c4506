import { fromGrpcError } from "../client/fromGrpcError.js";
import { connectSidecarApi } from "../client/sidecarApi.js";
import type { ReadinessCheck } from "../common/HealthServer.js";
import { parseListenAddress, type ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { ControlplaneLink } from "./ControlplaneLink.js";
import { counterRoute, leaseRoute } from "./counterRoute.js";
import { holdRoute } from "./holdRoute.js";
import { handleRequest } from "./handleRequest.js";
import { parseLoopbackListen } from "./loopbackListen.js";
import { podIdentityFromEnv } from "./podIdentity.js";
import { healthRoutes } from "./healthRoutes.js";
import type { RouteHandler } from "./route.js";
import type { RouteTable } from "../rest/Router.js";
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
  const api = connectSidecarApi(o.controlplane, { deadlineMs: CALL_DEADLINE_MS });
  const link = new ControlplaneLink(o.controlplane, api, new TokenFile(o.tokenFile));
  const checks: Record<string, ReadinessCheck> = {
    token: async () => {
      await link.token.read();
      return true;
    },
    // ready() lets a failed health call's gRPC error through: named here as any call's is.
    controlplane: () =>
      api
        .ready()
        .catch(
          (err: unknown) =>
            sidecarProblem(fromGrpcError(err), o.controlplane)?.detail ?? String(err),
        ),
  };
  const health = healthRoutes(checks);
  const routes: RouteTable<RouteHandler> = {
    "/increment": { POST: counterRoute("increment", link, pod) },
    "/decrement": { POST: counterRoute("decrement", link, pod) },
    "/leases/{leaseId}/renew": { POST: leaseRoute("renew", link, pod) },
    "/leases/{leaseId}/release": { POST: leaseRoute("release", link, pod) },
    "/hold": { POST: holdRoute(link, pod, log) },
    "/job-done-watchers": { POST: watcherRoute(link, pod) },
    ...health,
  };
  const server = (
    name: string,
    listen: ListenAddress[],
    served: RouteTable<RouteHandler>,
  ): Sidecar =>
    new Sidecar({
      name,
      addresses: listen,
      handler: handleRequest(served, o.controlplane, log),
      log,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
    });
  const parts = [server("sidecar", addresses, routes)];
  if (probeAddress) parts.push(server("sidecar-probes", [probeAddress], health));
  return { parts, close: () => api.close() };
}
