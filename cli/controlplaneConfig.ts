import { assertPolicy, type BackoffPolicy } from "../common/backoff.js";
import { parseDuration } from "../common/duration.js";
import { parseListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { ControlplaneConfig } from "../controlplane/Controlplane.js";
import type { KubeAccess } from "../controlplane/kube/KubeAccess.js";
import { EgressPolicy, parseCidr } from "../controlplane/egress/EgressPolicy.js";
import { parseStoreSpec, type StoreSpec } from "../controlplane/store/storeSpec.js";
import { dnsLabelProblem } from "../controlplane/watchers/validate.js";
import { injectorConfig } from "./injectorOptions.js";
import type { ControlplaneOptions } from "./options.js";
import { podCounterConfig } from "./podCounterOptions.js";

export class OptionError extends Error {}

// A count of delivery slots: a whole number from 1 to 10000.
function slots(value: string | number, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new OptionError(`${flag} must be a whole number from 1 to 10000`);
  }
  return n;
}

/** Checks and converts the controlplane's flags; every problem is an OptionError naming its flag. */
export function controlplaneConfig(
  o: ControlplaneOptions,
  kube: KubeAccess,
  log: Logger,
): ControlplaneConfig {
  const namespaces = watchedNamespaces(o);
  const concurrency = slots(o.maxConcurrentDeliveries, "--max-concurrent-deliveries");
  const perDestination = slots(o.maxDeliveriesPerDestination, "--max-deliveries-per-destination");
  const retry = retryPolicy(o);
  const audiences = list(o.tokenAudiences);
  if (audiences.length === 0)
    throw new OptionError("--token-audiences needs at least one audience");
  const attemptTimeoutMs = positiveDuration(o.attemptTimeout, "--attempt-timeout");
  const kubeRequestTimeoutMs = positiveDuration(o.kubeRequestTimeout, "--kube-request-timeout");
  return {
    kube,
    kubeRequestTimeoutMs,
    store: withPoolSize(parseStoreSpec(o.store), slots(o.storePoolSize, "--store-pool-size")),
    grpcListen: parseListenAddress(o.grpcListen),
    namespaces,
    defaultNamespace: o.defaultNamespace,
    jobFamiliesFile: o.jobFamilies,
    jobWaitMs: parseDuration(o.jobWait),
    deliveryTimeoutMs: parseDuration(o.deliveryTimeout),
    disableAfterMs: parseDuration(o.disableAfter),
    attemptTimeoutMs,
    maxConcurrentDeliveries: concurrency,
    // One destination may use every slot there is, no more.
    maxDeliveriesPerDestination: Math.min(perDestination, concurrency),
    retry,
    egress: egressPolicy(o),
    shutdownGraceMs: parseDuration(o.shutdownGrace),
    deliveryRetentionMs: parseDuration(o.deliveryRetention),
    // Internal, for `npm run bench` alone: what the attempt log costs a burst (no user flag).
    ...(process.env.JOBHOOKS_BENCH_NO_ATTEMPT_LOG === "1" && { attemptLog: false }),
    jobEvents: o.jobEvents,
    secretsNamespace: namespaceName(o.secretsNamespace, "--secrets-namespace"),
    auth: o.auth,
    podCounter: podCounterConfig(o, (m) => new OptionError(m)),
    tokenAudiences: audiences,
    anonymousAuth: o.anonymousAuth,
    injector: injectorConfig(o, audiences[0] ?? "", (m) => new OptionError(m)),
    log,
  };
}

// --namespaces as a list (undefined: all), each a valid name, like --default-namespace.
function watchedNamespaces(o: ControlplaneOptions): string[] | undefined {
  const namespaces = o.namespaces === undefined ? [] : list(o.namespaces);
  for (const ns of [...namespaces, o.defaultNamespace]) {
    const problem = dnsLabelProblem(ns, 63);
    if (problem) throw new OptionError(`namespace "${ns}" ${problem}`);
  }
  return namespaces.length > 0 ? namespaces : undefined;
}

function retryPolicy(o: ControlplaneOptions): BackoffPolicy {
  const retry = { baseMs: parseDuration(o.retryBase), maxMs: parseDuration(o.retryMax) };
  try {
    assertPolicy(retry);
  } catch {
    throw new OptionError(`--retry-base must be more than 0 and at most --retry-max`);
  }
  return retry;
}

function egressPolicy(o: ControlplaneOptions): EgressPolicy {
  return new EgressPolicy(
    cidrs(o.denyDestinations, "--deny-destinations"),
    cidrs(o.allowDestinations, "--allow-destinations"),
  );
}

function cidrs(value: string, flag: string): string[] {
  const entries = list(value);
  for (const cidr of entries) {
    try {
      parseCidr(cidr);
    } catch (err) {
      throw new OptionError(`${flag}: ${(err as Error).message}`);
    }
  }
  return entries;
}

function positiveDuration(value: string, flag: string): number {
  const ms = parseDuration(value);
  if (ms <= 0) throw new OptionError(`${flag} must be more than 0`);
  return ms;
}

function list(commaSeparated: string): string[] {
  return commaSeparated
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function withPoolSize(spec: StoreSpec, poolSize: number): StoreSpec {
  return spec.kind === "postgres" ? { ...spec, poolSize } : spec;
}

function namespaceName(value: string, flag: string): string {
  const problem = dnsLabelProblem(value, 63);
  if (problem) throw new OptionError(`${flag} "${value}" ${problem}`);
  return value;
}
