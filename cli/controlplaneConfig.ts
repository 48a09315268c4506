import type { KubeConfig } from "@kubernetes/client-node";
import { parseDuration } from "../common/duration.js";
import { parseListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { ControlplaneConfig } from "../controlplane/Controlplane.js";
import { parseStoreSpec } from "../controlplane/store/storeSpec.js";
import { dnsLabelProblem } from "../controlplane/watchers/validate.js";
import type { ControlplaneOptions } from "./options.js";

export class OptionError extends Error {}

/** Checks and converts the controlplane's flags; every problem is an OptionError naming its flag. */
export function controlplaneConfig(
  o: ControlplaneOptions,
  kubeConfig: KubeConfig,
  log: Logger,
): ControlplaneConfig {
  const namespaces = o.namespaces
    ?.split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  for (const ns of [...(namespaces ?? []), o.defaultNamespace]) {
    const problem = dnsLabelProblem(ns, 63);
    if (problem) throw new OptionError(`namespace "${ns}" ${problem}`);
  }
  const concurrency = Number(o.maxConcurrentDeliveries);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    throw new OptionError(`--max-concurrent-deliveries must be a whole number from 1 to 10000`);
  }
  return {
    kubeConfig,
    store: parseStoreSpec(o.store),
    grpcListen: parseListenAddress(o.grpcListen),
    namespaces: namespaces && namespaces.length > 0 ? namespaces : undefined,
    defaultNamespace: o.defaultNamespace,
    jobFamiliesFile: o.jobFamilies,
    jobWaitMs: parseDuration(o.jobWait),
    deliveryTimeoutMs: parseDuration(o.deliveryTimeout),
    attemptTimeoutMs: parseDuration(o.attemptTimeout),
    maxConcurrentDeliveries: concurrency,
    retry: { baseMs: parseDuration(o.retryBase), maxMs: parseDuration(o.retryMax) },
    shutdownGraceMs: parseDuration(o.shutdownGrace),
    log,
  };
}
