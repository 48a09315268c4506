import type * as k8s from "@kubernetes/client-node";
import type { RequestOptions } from "node:https";

/** The TLS material for connections to the apiserver: whom to trust, and a client certificate. */
export interface KubeTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/**
 * What a process needs to call the apiserver: where it is, how to trust it, who we are. Made
 * by `loadKubeAccess` (kubeconfig.ts) from a kubeconfig or the pod's ServiceAccount, without
 * client-node, whose KubeConfig alone loads every generated model (about 70 MiB of the
 * controlplane's memory).
 */
export interface KubeAccess {
  /** The apiserver's base URL, e.g. https://10.96.0.1:443. */
  readonly server: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string;
  /** The CA and client certificate, read when the connection pool is made. */
  tls(): Promise<KubeTls>;
  /** The credential headers, asked for on every call: token files rotate, exec credentials expire. */
  headers(): Promise<Record<string, string>>;
}

/**
 * The same access from a client-node KubeConfig that is already loaded (the tests' and the
 * benchmarks' clusters, and kubeconfigs whose users run an exec plugin or an auth provider).
 */
export function accessOfKubeConfig(kc: k8s.KubeConfig): KubeAccess {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const applied = async (): Promise<RequestOptions> => {
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    return opts;
  };
  return {
    server: cluster.server,
    skipTLSVerify: cluster.skipTLSVerify,
    ...(cluster.tlsServerName && { tlsServerName: cluster.tlsServerName }),
    tls: async () => {
      const { ca, cert, key } = await applied();
      return { ca: ca as KubeTls["ca"], cert: cert as KubeTls["cert"], key: key as KubeTls["key"] };
    },
    headers: async () => {
      const opts = await applied();
      const given = Object.entries((opts.headers ?? {}) as Record<string, string>);
      const headers = Object.fromEntries(given.map(([k, v]) => [k.toLowerCase(), v]));
      if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
      return headers;
    },
  };
}
