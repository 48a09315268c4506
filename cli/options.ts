import type { Command } from "commander";
import { LOG_LEVELS } from "../common/logger.js";
import { flag } from "./flag.js";

/** Defaults from DESIGN.md "Shape", in one place. */
export const DEFAULTS = {
  healthListen: ":9091",
  logLevel: "info",
} as const;

export interface CommonOptions {
  healthListen: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(
      flag(
        "--health-listen <address>",
        "where /healthz and /readyz are served",
        DEFAULTS.healthListen,
      ),
    )
    .addOption(
      flag("--log-level <level>", "JSON log level on stdout", DEFAULTS.logLevel).choices(
        LOG_LEVELS,
      ),
    );
}

export function addKubeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      flag(
        "--kubeconfig <path>",
        "kubeconfig file; otherwise KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount",
      ),
    )
    .addOption(
      flag("--context <name>", "kubeconfig context to use (default: its current context)"),
    );
}
