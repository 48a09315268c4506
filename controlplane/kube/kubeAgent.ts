import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { KubeAccess } from "./KubeAccess.js";

/** One pool of keep-alive connections to the apiserver, with its TLS settings. */
export async function kubeAgent(access: KubeAccess): Promise<HttpAgent> {
  if (!access.server.startsWith("https:")) return new HttpAgent({ keepAlive: true });
  const tls = await access.tls();
  return new HttpsAgent({
    ...tls,
    rejectUnauthorized: !access.skipTLSVerify,
    ...(access.tlsServerName && { servername: access.tlsServerName }),
    keepAlive: true,
  });
}
