// No imports: the sidecar's flags (sidecarFlags.ts) take these without loading options.ts, whose
// imports are the controlplane's.

/** Defaults the servers' flags and the sidecar's share. */
export const SHARED_DEFAULTS = {
  logLevel: "info",
  controlplane: "localhost:9090",
} as const;
