import { createPrivateKey, createSign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as k8s from "@kubernetes/client-node";
import { SERVICE_ACCOUNT_ISSUER } from "../cluster/components.js";
import type { TestCluster } from "../cluster/TestCluster.js";

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");

/**
 * A pod-bound ServiceAccount token that expired a minute ago (or expires when told), signed with the test cluster's own
 * ServiceAccount key, so the apiserver judges it for real. (TokenRequest will not mint a token
 * that lives less than ten minutes.)
 */
export function expiredPodToken(
  cluster: TestCluster,
  pod: k8s.V1Pod,
  account: { name: string; uid: string },
  expiresInSeconds = -60,
): string {
  const now = Math.floor(Date.now() / 1000);
  const namespace = pod.metadata?.namespace ?? "";
  const header = { alg: "ES256", typ: "JWT" };
  const claims = {
    iss: SERVICE_ACCOUNT_ISSUER,
    aud: ["jobhooks"],
    sub: `system:serviceaccount:${namespace}:${account.name}`,
    iat: now - 3600,
    nbf: now - 3600,
    exp: now + expiresInSeconds,
    "kubernetes.io": {
      namespace,
      serviceaccount: { name: account.name, uid: account.uid },
      pod: { name: pod.metadata?.name, uid: pod.metadata?.uid },
    },
  };
  const input = `${b64(header)}.${b64(claims)}`;
  const key = createPrivateKey(readFileSync(join(cluster.dir, "sa.key")));
  const signature = createSign("SHA256").update(input).sign({ key, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}
