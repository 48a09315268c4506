import type { Command } from "commander";
import { parseListenAddress } from "../common/listenAddress.js";
import { VERSION } from "../common/version.js";
import type { InjectorConfig, InjectorTls } from "../controlplane/injector/createInjector.js";
import type { CaSecret } from "../controlplane/injector/sharedCertificateAuthority.js";
import { boolFlag } from "./boolFlag.js";
import { flag } from "./flag.js";

export const INJECTOR_DEFAULTS = {
  webhookListen: ":9443",
  webhookConfiguration: "jobhooks",
  sidecarImage: `jobhooks:${VERSION}`,
  sidecarControlplane: "jobhooks-controlplane.jobhooks-system.svc:9090",
  sidecarProbePort: "8182",
} as const;

export interface InjectorOptions {
  webhookListen: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  selfSigned?: boolean;
  selfSignedCaSecret?: string;
  webhookConfiguration: string;
  webhookHosts?: string;
  sidecarImage: string;
  sidecarControlplane: string;
  sidecarProbePort: string;
}

/** The injector is on when it has a certificate: --tls-cert-file/--tls-key-file or --self-signed. */
export function addInjectorOptions(cmd: Command): Command {
  const d = INJECTOR_DEFAULTS;
  return cmd
    .addOption(
      flag(
        "--webhook-listen <address>",
        "where the sidecar injector (HTTPS admission webhook, path /inject) is served",
        d.webhookListen,
      ),
    )
    .addOption(
      flag(
        "--tls-cert-file <path>",
        "the injector's serving certificate (PEM, chain first); re-read when it changes",
      ),
    )
    .addOption(flag("--tls-key-file <path>", "the key of --tls-cert-file (PEM)"))
    .addOption(
      boolFlag(
        "--self-signed",
        "make a CA and serving certificate at start (for --webhook-hosts) and keep the caBundle of --webhook-configuration set to the CA",
        false,
      ),
    )
    .addOption(
      flag(
        "--self-signed-ca-secret <name>",
        "keep the --self-signed CA in this Secret (NAME in $POD_NAMESPACE, or NAMESPACE/NAME), made by the first replica and shared by all",
      ),
    )
    .addOption(
      flag(
        "--webhook-configuration <name>",
        "the MutatingWebhookConfiguration whose caBundle --self-signed keeps current",
        d.webhookConfiguration,
      ),
    )
    .addOption(
      flag(
        "--webhook-hosts <list>",
        "comma-separated DNS names and IPs the --self-signed certificate is for (e.g. jobhooks-controlplane.jobhooks-system.svc)",
      ),
    )
    .addOption(flag("--sidecar-image <image>", "the injected sidecar's image", d.sidecarImage))
    .addOption(
      flag(
        "--sidecar-controlplane <host:port>",
        "the controlplane's gRPC address as injected sidecars reach it",
        d.sidecarControlplane,
      ),
    )
    .addOption(
      flag(
        "--sidecar-probe-port <port>",
        "port on the pod IP where kubelet probes the injected sidecar's /readyz and /healthz",
        d.sidecarProbePort,
      ),
    );
}

/**
 * The injector's configuration, or undefined when it has no certificate. `fail` builds the
 * error for bad input (an OptionError).
 */
export function injectorConfig(
  o: InjectorOptions,
  audience: string,
  fail: (message: string) => Error,
): InjectorConfig | undefined {
  const tls = injectorTls(o, fail);
  if (!tls) return undefined;
  const probePort = Number(o.sidecarProbePort);
  if (!Number.isInteger(probePort) || probePort < 1 || probePort > 65535) {
    throw fail("--sidecar-probe-port must be a port number from 1 to 65535");
  }
  if (!/^[^\s:]+:\d+$|^\[[0-9a-fA-F:.]+\]:\d+$/.test(o.sidecarControlplane)) {
    throw fail(`--sidecar-controlplane "${o.sidecarControlplane}" is not HOST:PORT`);
  }
  return {
    listen: parseListenAddress(o.webhookListen),
    tls,
    sidecar: {
      image: o.sidecarImage,
      controlplane: o.sidecarControlplane,
      audience,
      probePort,
      tokenSeconds: 3600,
    },
  };
}

function injectorTls(
  o: InjectorOptions,
  fail: (message: string) => Error,
): InjectorTls | undefined {
  const { tlsCertFile: certFile, tlsKeyFile: keyFile } = o;
  if (certFile !== undefined && keyFile !== undefined) {
    if (o.selfSigned) throw fail("use --tls-cert-file/--tls-key-file or --self-signed, not both");
    return { kind: "files", certFile, keyFile };
  }
  if (certFile !== undefined || keyFile !== undefined) {
    throw fail("--tls-cert-file and --tls-key-file go together");
  }
  if (!o.selfSigned) return undefined;
  const hosts = (o.webhookHosts ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h !== "");
  if (hosts.length === 0) {
    throw fail(
      "--self-signed needs --webhook-hosts: the names the apiserver calls the injector by",
    );
  }
  const caSecret = caSecretOf(o.selfSignedCaSecret, fail);
  return {
    kind: "self-signed",
    hosts,
    configuration: o.webhookConfiguration,
    ...(caSecret && { caSecret }),
  };
}

// NAMESPACE/NAME, or NAME in the pod's own namespace (POD_NAMESPACE, from the downward API).
function caSecretOf(
  value: string | undefined,
  fail: (message: string) => Error,
): CaSecret | undefined {
  if (value === undefined) return undefined;
  const parts = value.trim().split("/");
  const [namespace, name] =
    parts.length === 2 ? parts : [process.env.POD_NAMESPACE ?? "", parts[0] ?? ""];
  const dns = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  if (parts.length > 2 || !namespace || !name || !dns.test(namespace) || !dns.test(name)) {
    throw fail(
      `--self-signed-ca-secret "${value}" must be NAME (with POD_NAMESPACE set) or NAMESPACE/NAME`,
    );
  }
  return { namespace, name };
}
