import type { KubeApi } from "../kube/KubeApi.js";
import type { ListenAddress } from "../../common/listenAddress.js";
import type { Logger } from "../../common/logger.js";
import type { Part } from "../../common/runGroup.js";
import type { ControlplaneMetrics } from "../metrics.js";
import { CaBundleKeeper } from "./CaBundleKeeper.js";
import type { SidecarConfig } from "./injectSidecar.js";
import { InjectorServer } from "./InjectorServer.js";
import { sharedCertificateAuthority, type CaSecret } from "./sharedCertificateAuthority.js";
import {
  CertificateFiles,
  selfSignedCertificates,
  type ServingCertificates,
} from "./ServingCertificates.js";

/** Where the injector's serving certificate comes from. */
export type InjectorTls =
  | { kind: "files"; certFile: string; keyFile: string }
  | {
      kind: "self-signed";
      hosts: string[];
      configuration: string;
      /** Several replicas share the CA kept in this Secret; without it each makes its own. */
      caSecret?: CaSecret;
    };

export interface InjectorConfig {
  listen: ListenAddress;
  tls: InjectorTls;
  sidecar: SidecarConfig;
}

/** The injector's parts: the HTTPS webhook, and what keeps its certificate current. */
export async function createInjector(
  c: InjectorConfig,
  deps: { api: KubeApi; log: Logger; metrics: ControlplaneMetrics },
): Promise<Part[]> {
  const log = deps.log;
  const parts: Part[] = [];
  let certificates: ServingCertificates;
  if (c.tls.kind === "files") {
    const files = new CertificateFiles(c.tls, log);
    certificates = files;
    parts.push(files);
  } else {
    const kept = c.tls.caSecret
      ? await sharedCertificateAuthority(deps.api, c.tls.caSecret, log)
      : undefined;
    const selfSigned = await selfSignedCertificates(c.tls.hosts, kept);
    certificates = selfSigned.certificates;
    parts.push(
      new CaBundleKeeper({
        api: deps.api,
        name: c.tls.configuration,
        caPem: selfSigned.caPem,
        log,
        onCurrent: (current) => deps.metrics.caBundleCurrent.set(current ? 1 : 0),
      }),
    );
  }
  parts.push(
    new InjectorServer({
      address: c.listen,
      certificates,
      sidecar: c.sidecar,
      log,
      onAdmission: (outcome, seconds) => {
        deps.metrics.admissions.inc({ outcome });
        deps.metrics.admissionDuration.observe(seconds);
      },
    }),
  );
  return parts;
}
