// No imports: the sidecar's own parser (sidecarArgs.ts) reads the environment by these names
// without loading commander.

/** JOBHOOKS_ and the flag's long name in upper snake case: --grpc-listen → JOBHOOKS_GRPC_LISTEN. */
export function envName(longFlag: string): string {
  return `JOBHOOKS_${longFlag.replace(/^--/, "").replace(/-/g, "_").toUpperCase()}`;
}
