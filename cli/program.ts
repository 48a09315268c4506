import { CommanderError, type Command } from "commander";
import { setFlagsFromString } from "node:v8";
import { DurationError } from "../common/duration.js";
import { ListenAddressError } from "../common/listenAddress.js";
import { LOG_LEVELS } from "../common/logger.js";
import { VERSION } from "../common/version.js";
import { envName, flag } from "./flag.js";
import { addInjectorOptions } from "./injectorOptions.js";
import { addPodCounterOptions } from "./podCounterOptions.js";
import { JobhooksCommand } from "./JobhooksCommand.js";
import { ServeFailure } from "./ServeFailure.js";
import {
  addCommonOptions,
  addControlplaneOptions,
  addGatewayOptions,
  addKubeOptions,
  DEFAULTS,
} from "./options.js";
import type { ServeOptions, ServerRole, ServeSidecarOptions } from "./serve.js";

const SIDECAR_DEFAULTS = {
  listen: "127.0.0.1:8181,[::1]:8181",
  controlplane: DEFAULTS.controlplane,
  tokenFile: "/var/run/secrets/jobhooks/token",
} as const;

const SIDECAR_HELP = `
Endpoints (on every --listen address):
  POST /increment, POST /decrement   this pod's counter label; {"value": N}, or N as text/plain
                                     with Accept: text/plain; ?pod_name= may name this pod only
  POST /job-done-watchers            the REST API's body and Idempotency-Key; jobName and
                                     namespace default to this pod's Job and namespace
  GET /healthz, GET /readyz          alive / the token is readable and the controlplane answers

Environment (the downward API; set by the injector):
  POD_NAME        metadata.name
  POD_NAMESPACE   metadata.namespace: the default namespace of watchers
  JOB_NAME        metadata.labels['batch.kubernetes.io/job-name']: the default jobName of watchers

The sidecar holds no Kubernetes credentials: each call to the controlplane carries the token in
--token-file (a projected ServiceAccount token with audience jobhooks, re-read when the kubelet
rotates it) and names this pod (POD_NAME, POD_NAMESPACE). The controlplane acts on the pod the
token is bound to and refuses another; with --auth=none it acts on the pod named.`;

const ROLES: { role: ServerRole | "sidecar"; summary: string; kube: boolean }[] = [
  {
    role: "controlplane",
    summary: "run the control plane: gRPC API, store, Job watch, webhook delivery",
    kube: true,
  },
  {
    role: "gateway",
    summary: "run the HTTP gateway: the REST API in front of the control plane",
    kube: false,
  },
  {
    role: "sidecar",
    summary: "run the pod-local sidecar on 127.0.0.1 and ::1 (injected into Job pods)",
    kube: false,
  },
  {
    role: "all",
    summary: "run controlplane and gateway in one process (small installs, the demo)",
    kube: true,
  },
];

/** The jobhooks command line. Exposed for tests; main.ts parses process.argv with it. */
export function buildProgram(): Command {
  const program = new JobhooksCommand("jobhooks")
    .description("Calls webhooks when Kubernetes Jobs finish; counts busy work in a pod label.")
    .version(VERSION, "-V, --version", "print the version")
    .showHelpAfterError()
    .addHelpText(
      "after",
      `\nEvery flag can also be set from the environment as JOBHOOKS_<FLAG>, e.g. --health-listen as ${envName("--health-listen")}.`,
    );
  program
    .command("version")
    .description("print the version")
    .action(() => {
      process.stdout.write(`${VERSION}\n`);
    });
  for (const { role, summary, kube } of ROLES) {
    const cmd = program.command(role).description(summary);
    if (role === "sidecar") {
      addSidecarOptions(cmd).action(async (options: ServeSidecarOptions) => {
        sidecarCompilerFlags();
        const { serveSidecar } = await import("./serve.js");
        await serveSidecar(options);
      });
      continue;
    }
    addCommonOptions(cmd);
    if (kube) addInjectorOptions(addPodCounterOptions(addControlplaneOptions(addKubeOptions(cmd))));
    if (role === "gateway" || role === "all") addGatewayOptions(cmd, role === "gateway");
    cmd.action(async (options: ServeOptions) => {
      const { serve } = await import("./serve.js");
      await serve(role, options);
    });
  }
  return program;
}

/**
 * One sidecar runs in every injected pod and does little work per request, so its memory counts
 * and V8's optimising compiler (TurboFan) does not pay: its compile jobs during start-up leave
 * several MB behind. Idle RSS measured 58-71 MiB with it, about 60 MiB without. Set before the
 * gRPC modules load (serve.js is imported after this); Sparkplug still compiles hot code.
 */
function sidecarCompilerFlags(): void {
  setFlagsFromString("--no-opt");
}

/** The sidecar serves its health endpoints on --listen: it has no --health-listen. */
function addSidecarOptions(cmd: Command): Command {
  const d = SIDECAR_DEFAULTS;
  return cmd
    .addOption(
      flag(
        "--listen <addresses>",
        "comma-separated loopback HOST:PORT to serve on; an IPv6 one the host lacks is skipped",
        d.listen,
      ),
    )
    .addOption(
      flag("--controlplane <host:port>", "the controlplane's gRPC address", d.controlplane),
    )
    .addOption(
      flag(
        "--token-file <path>",
        "the pod's projected ServiceAccount token (audience jobhooks)",
        d.tokenFile,
      ),
    )
    .addOption(
      flag(
        "--probe-listen <address>",
        "also serve /healthz and /readyz (nothing else) here, for kubelet's probes (e.g. :8182)",
      ),
    )
    .addOption(
      flag("--log-level <level>", "JSON log level on stdout", DEFAULTS.logLevel).choices(
        LOG_LEVELS,
      ),
    )
    .addHelpText("after", SIDECAR_HELP);
}

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

/** Parses argv and runs; returns the exit code. Bad input is a message and 2, never a stack. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
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
}
