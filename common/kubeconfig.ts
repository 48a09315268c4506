import { KubeConfig } from "@kubernetes/client-node";
import { existsSync } from "node:fs";

export interface KubeAccessOptions {
  kubeconfig?: string;
  context?: string;
}

export class KubeConfigError extends Error {}

/**
 * Kubernetes access as kubectl finds it: --kubeconfig, then KUBECONFIG, then ~/.kube/config,
 * then the in-cluster ServiceAccount.
 */
export function loadKubeConfig({ kubeconfig, context }: KubeAccessOptions): KubeConfig {
  const kc = kubeconfig !== undefined && kubeconfig !== "" ? fromFile(kubeconfig) : fromDefault();
  if (context !== undefined && context !== "") {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `context "${context}" not found (known: ${known.join(", ") || "none"})`,
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeConfigError(
      "no Kubernetes cluster configured: pass --kubeconfig, set KUBECONFIG, or run in a cluster",
    );
  }
  return kc;
}

function fromFile(path: string): KubeConfig {
  if (!existsSync(path)) throw new KubeConfigError(`kubeconfig ${path} does not exist`);
  const kc = new KubeConfig();
  load(() => kc.loadFromFile(path), `kubeconfig ${path}`);
  return kc;
}

function fromDefault(): KubeConfig {
  const kc = new KubeConfig();
  load(() => kc.loadFromDefault(), "the default kubeconfig (KUBECONFIG, ~/.kube/config)");
  // What client-node falls back to when it found nothing: an unauthenticated plain-HTTP
  // localhost, which no apiserver serves since 1.20.
  const fallback = kc.getCurrentCluster();
  if (fallback?.name === "cluster" && fallback.server === "http://localhost:8080") {
    throw new KubeConfigError(
      "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster: pass --kubeconfig",
    );
  }
  return kc;
}

function load(loader: () => void, what: string): void {
  try {
    loader();
  } catch (err) {
    throw new KubeConfigError(`${what} could not be read: ${(err as Error).message}`);
  }
}
