import { LOG_LEVELS } from "../common/logger.js";
import { SHARED_DEFAULTS } from "./sharedDefaults.js";

/**
 * One of `jobhooks sidecar`'s flags, in one place for both of its parsers: commander's
 * (program.ts: help, errors, every other command) and the sidecar's own (sidecarArgs.ts).
 */
export interface SidecarFlag {
  /** "--token-file"; its option key is the camel case of it ("tokenFile"), as commander's. */
  long: string;
  /** The value's name in help: "<path>". */
  value: string;
  description: string;
  default?: string;
  choices?: readonly string[];
}

/** The sidecar serves its health endpoints on --listen: it has no --health-listen. */
export const SIDECAR_FLAGS: readonly SidecarFlag[] = [
  {
    long: "--listen",
    value: "<addresses>",
    description:
      "comma-separated loopback HOST:PORT to serve on; an IPv6 one the host lacks is skipped",
    default: "127.0.0.1:8181,[::1]:8181",
  },
  {
    long: "--controlplane",
    value: "<host:port>",
    description: "the controlplane's gRPC address",
    default: SHARED_DEFAULTS.controlplane,
  },
  {
    long: "--token-file",
    value: "<path>",
    description: "the pod's projected ServiceAccount token (audience jobhooks)",
    default: "/var/run/secrets/jobhooks/token",
  },
  {
    long: "--probe-listen",
    value: "<address>",
    description:
      "also serve /healthz and /readyz (nothing else) here, for kubelet's probes (e.g. :8182)",
  },
  {
    long: "--log-level",
    value: "<level>",
    description: "JSON log level on stdout",
    default: SHARED_DEFAULTS.logLevel,
    choices: LOG_LEVELS,
  },
];

/** The option key of `long`, as commander names it: --token-file → tokenFile. */
export function optionKey(long: string): string {
  return long.replace(/^--/, "").replace(/-(.)/g, (_, c: string) => c.toUpperCase());
}
