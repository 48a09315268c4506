import { Command, CommanderError } from "commander";
import { KubeConfigError } from "../common/kubeconfig.js";
import { ListenAddressError } from "../common/listenAddress.js";
import { VERSION } from "../common/version.js";
import { envName } from "./flag.js";
import { DurationError } from "../common/duration.js";
import { StoreSpecError } from "../controlplane/store/storeSpec.js";
import { JobFamiliesError } from "../controlplane/watchers/jobFamilies.js";
import { OptionError } from "./controlplaneConfig.js";
import {
  addCommonOptions,
  addControlplaneOptions,
  addGatewayOptions,
  addKubeOptions,
} from "./options.js";
import { serve, type ServeOptions, type ServerRole } from "./serve.js";

const NOT_YET = "Status: not implemented yet; this build serves /healthz and /readyz only.";

const ROLES: { role: ServerRole; summary: string; kube: boolean; status?: string }[] = [
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
    status: NOT_YET,
  },
  {
    role: "all",
    summary: "run controlplane and gateway in one process (small installs, the demo)",
    kube: true,
  },
];

/** The jobhooks command line. Exposed for tests; main.ts parses process.argv with it. */
export function buildProgram(): Command {
  const program = new Command("jobhooks")
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
  for (const { role, summary, kube, status } of ROLES) {
    const cmd = program.command(role).description(summary);
    if (status) cmd.addHelpText("after", `\n${status}`);
    addCommonOptions(cmd);
    if (kube) addControlplaneOptions(addKubeOptions(cmd));
    if (role === "gateway" || role === "all") addGatewayOptions(cmd, role === "gateway");
    cmd.action(async (options: ServeOptions) => {
      await serve(role, options);
    });
  }
  return program;
}

// Errors that mean the command line or a file it names is wrong: a message, not a stack.
const BAD_INPUT = [
  ListenAddressError,
  KubeConfigError,
  DurationError,
  StoreSpecError,
  JobFamiliesError,
  OptionError,
] as const;

/** Parses argv and runs; returns the exit code. Bad input is a message and 2, never a stack. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (BAD_INPUT.some((type) => err instanceof type)) {
      process.stderr.write(`jobhooks: ${(err as Error).message}\n`);
      return 2;
    }
    process.stderr.write(
      `jobhooks: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
