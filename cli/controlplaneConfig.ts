import type { KubeConfig } from "@kubernetes/client-node";
import { assertPolicy } from "../common/backoff.js";
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
  const retry = { baseMs: parseDuration(o.retryBase), maxMs: parseDuration(o.retryMax) };
  try {
    assertPolicy(retry);
  } catch {
    throw new OptionError(`--retry-base must be more than 0 and at most --retry-max`);
  }
  const attemptTimeoutMs = parseDuration(o.attemptTimeout);
  if (attemptTimeoutMs <= 0) throw new OptionError("--attempt-timeout must be more than 0");
  return {
    kubeConfig,
    store: parseStoreSpec(o.store),
    grpcListen: parseListenAddress(o.grpcListen),
    namespaces: namespaces && namespaces.length > 0 ? namespaces : undefined,
    defaultNamespace: o.defaultNamespace,
    jobFamiliesFile: o.jobFamilies,
    jobWaitMs: parseDuration(o.jobWait),
    deliveryTimeoutMs: parseDuration(o.deliveryTimeout),
    attemptTimeoutMs,
    maxConcurrentDeliveries: concurrency,
    retry,
    shutdownGraceMs: parseDuration(o.shutdownGrace),
    log,
  };
}
