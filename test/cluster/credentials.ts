import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createCertificateAuthority,
  issueCertificate,
  type CertificateAuthority,
  type PemPair,
} from "../../controlplane/injector/pki.js";

/** Files every component reads: the cluster CA, the apiserver's serving pair, SA keys. */
export interface ClusterCredentials {
  ca: CertificateAuthority;
  admin: PemPair;
  files: {
    caCert: string;
    servingCert: string;
    servingKey: string;
    serviceAccountKey: string;
    serviceAccountPub: string;
  };
}

export const ADMIN_USER = "jobhooks-test-admin";

export async function writeClusterCredentials(dir: string): Promise<ClusterCredentials> {
  const ca = await createCertificateAuthority("jobhooks-test-cluster-ca");
  const serving = await issueCertificate(ca, {
    commonName: "kube-apiserver",
    dnsNames: [
      "localhost",
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
    ],
    ipAddresses: ["127.0.0.1", "::1"],
    usages: ["server"],
  });
  const admin = await issueCertificate(ca, {
    commonName: ADMIN_USER,
    organizations: ["system:masters"],
    usages: ["client"],
  });
  // Signs and verifies ServiceAccount tokens (TokenRequest / TokenReview).
  const sa = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const files = {
    caCert: join(dir, "ca.crt"),
    servingCert: join(dir, "apiserver.crt"),
    servingKey: join(dir, "apiserver.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
  await Promise.all([
    writeFile(files.caCert, ca.certPem),
    writeFile(files.servingCert, serving.certPem),
    writeFile(files.servingKey, serving.keyPem, { mode: 0o600 }),
    writeFile(files.serviceAccountKey, sa.privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    }),
    writeFile(files.serviceAccountPub, sa.publicKey.export({ type: "spki", format: "pem" })),
  ]);
  return { ca, admin, files };
}
