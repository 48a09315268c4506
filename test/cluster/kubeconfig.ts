import { stringify } from "yaml";

export interface KubeconfigParts {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  name: string;
}

/** An admin kubeconfig with the credentials inline, so the file stands alone. */
export function kubeconfigYaml(p: KubeconfigParts): string {
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: p.name, cluster: { server: p.server, "certificate-authority-data": b64(p.caPem) } },
    ],
    users: [
      {
        name: `${p.name}-admin`,
        user: {
          "client-certificate-data": b64(p.clientCertPem),
          "client-key-data": b64(p.clientKeyPem),
        },
      },
    ],
    contexts: [{ name: p.name, context: { cluster: p.name, user: `${p.name}-admin` } }],
    "current-context": p.name,
  });
}
