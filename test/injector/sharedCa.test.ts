import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { pino } from "pino";
import type { TestCluster } from "../cluster/TestCluster.js";
import { issueCertificate } from "../../controlplane/injector/pki.js";
import { sharedCertificateAuthority } from "../../controlplane/injector/sharedCertificateAuthority.js";
import { KubeApi } from "../../controlplane/kube/KubeApi.js";
import { accessOfKubeConfig } from "../../controlplane/kube/KubeAccess.js";
import { createTestNamespace, sharedCluster } from "../support/cluster.js";

const log = pino({ level: "silent" });

describe("the injector's CA shared by replicas (--self-signed-ca-secret) @cluster", function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let namespace: string;

  before(async function () {
    this.timeout(5 * 60_000);
    cluster = await sharedCluster();
    namespace = await createTestNamespace(cluster, "shared-ca");
  });

  it("is made once when replicas start together, and every replica issues from it", async () => {
    const secret = { namespace, name: "jobhooks-webhook-ca" };
    // Three replicas, each with its own connections, racing to create the Secret.
    const apis = [1, 2, 3].map(() => new KubeApi(accessOfKubeConfig(cluster.kubeConfig)));
    try {
      const cas = await Promise.all(
        apis.map((api) => sharedCertificateAuthority(api, secret, log)),
      );
      const pems = new Set(cas.map((ca) => ca.certPem));
      expect(pems.size).to.equal(1);
      // A replica that starts later reads the same one.
      const later = await sharedCertificateAuthority(apis[0] as KubeApi, secret, log);
      expect(later.certPem).to.equal(cas[0]?.certPem);
      // A certificate issued from the loaded CA is signed by it.
      const leaf = await issueCertificate(later, {
        commonName: "jobhooks-controlplane.jobhooks-system.svc",
        dnsNames: ["jobhooks-controlplane.jobhooks-system.svc"],
        usages: ["server"],
      });
      const caCert = new X509Certificate(later.certPem);
      expect(new X509Certificate(leaf.certPem).verify(caCert.publicKey)).to.equal(true);
      const stored = await apis[0]?.getJson<{ type: string; data: Record<string, string> }>(
        `/api/v1/namespaces/${namespace}/secrets/jobhooks-webhook-ca`,
        {},
      );
      expect(stored?.type).to.equal("kubernetes.io/tls");
      expect(Object.keys(stored?.data ?? {}).sort()).to.deep.equal(["tls.crt", "tls.key"]);
    } finally {
      for (const api of apis) api.close();
    }
  });

  it("says which Secret it could not read, as a start-up failure", async () => {
    // A Secret of that name holding something else.
    const api = new KubeApi(accessOfKubeConfig(cluster.kubeConfig));
    try {
      await api.request({
        method: "POST",
        path: `/api/v1/namespaces/${namespace}/secrets`,
        body: { metadata: { name: "not-a-ca" }, data: { other: "eA==" } },
      });
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 1500);
      const err = await sharedCertificateAuthority(
        api,
        { namespace, name: "not-a-ca" },
        log,
        abort.signal,
      ).catch((e: unknown) => e);
      expect(String(err)).to.match(
        /CA Secret .*\/not-a-ca \(--self-signed-ca-secret\): .*tls\.crt/,
      );
    } finally {
      api.close();
    }
  });
});
