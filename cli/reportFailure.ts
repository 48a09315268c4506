import { DurationError } from "../common/duration.js";
import { ListenAddressError } from "../common/listenAddress.js";
import { ServeFailure } from "./ServeFailure.js";

// Errors that mean the command line or a file it names is wrong: a message, not a stack. The
// controlplane's are imported only when an error needs telling apart, so that the sidecar never
// loads the modules that define them (the Kubernetes client among them).
const LIGHT_BAD_INPUT = [ListenAddressError, DurationError] as const;

async function isBadInput(err: unknown): Promise<boolean> {
  if (LIGHT_BAD_INPUT.some((type) => err instanceof type)) return true;
  const [kubeconfig, storeSpec, jobFamilies, controlplaneConfig, certificates] = await Promise.all([
    import("../controlplane/kube/kubeconfig.js"),
    import("../controlplane/store/storeSpec.js"),
    import("../controlplane/watchers/jobFamilies.js"),
    import("./controlplaneConfig.js"),
    import("../controlplane/injector/ServingCertificates.js"),
  ]);
  return [
    kubeconfig.KubeConfigError,
    storeSpec.StoreSpecError,
    jobFamilies.JobFamiliesError,
    controlplaneConfig.OptionError,
    certificates.CertificateError,
  ].some((type) => err instanceof type);
}

/**
 * Writes why a command failed and returns its exit code: a role that could not serve is 1 with
 * one line, bad input 2 with its message (never a stack), anything else 1 with the stack.
 */
export async function reportFailure(err: unknown): Promise<number> {
  if (err instanceof ServeFailure) {
    process.stderr.write(`jobhooks ${err.role}: ${err.message}\n`);
    return 1;
  }
  if (await isBadInput(err)) {
    process.stderr.write(`jobhooks: ${(err as Error).message}\n`);
    return 2;
  }
  process.stderr.write(
    `jobhooks: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 1;
}
