import type * as k8s from "@kubernetes/client-node";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent, type RequestOptions } from "node:https";

/** One pool of keep-alive connections to the kubeconfig's current cluster, with its TLS settings. */
export async function kubeAgent(kc: k8s.KubeConfig, cluster: k8s.Cluster): Promise<HttpAgent> {
  if (!cluster.server.startsWith("https:")) return new HttpAgent({ keepAlive: true });
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  return new HttpsAgent({
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: !cluster.skipTLSVerify,
    ...(cluster.tlsServerName && { servername: cluster.tlsServerName }),
    keepAlive: true,
  });
}
