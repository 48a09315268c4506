import { CommanderError, type Command } from "commander";
import { VERSION } from "../common/version.js";
import { envName, flag } from "./flag.js";
import { addInjectorOptions } from "./injectorOptions.js";
import { addPodCounterOptions } from "./podCounterOptions.js";
import { JobhooksCommand } from "./JobhooksCommand.js";
import {
  addCommonOptions,
  addControlplaneOptions,
  addGatewayOptions,
  addKubeOptions,
} from "./options.js";
import { isBadInput } from "./badInput.js";
import { reportFailure } from "./reportFailure.js";
import { startSidecar } from "./runSidecar.js";
import type { ServeOptions, ServerRole } from "./serve.js";
import { SIDECAR_FLAGS } from "./sidecarFlags.js";

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
      addSidecarOptions(cmd).action(startSidecar);
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

/** The sidecar's flags (sidecarFlags.ts, which its own parser reads too) and its help. */
function addSidecarOptions(cmd: Command): Command {
  for (const f of SIDECAR_FLAGS) {
    const option = flag(`${f.long} ${f.value}`, f.description, f.default);
    cmd.addOption(f.choices ? option.choices(f.choices) : option);
  }
  return cmd.addHelpText("after", SIDECAR_HELP);
}

/** Parses argv and runs; returns the exit code. Bad input is a message and 2, never a stack. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    return reportFailure(err, isBadInput);
  }
}
