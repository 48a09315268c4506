import { isLightBadInput } from "./reportFailure.js";

/**
 * Whether `err` means the command line or a file it names is wrong, for any command. The
 * controlplane's errors are imported only when an error needs telling apart, so that a command
 * that fails early loads no more than it did.
 */
export async function isBadInput(err: unknown): Promise<boolean> {
  if (isLightBadInput(err)) return true;
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
