import type { Command } from "commander";
import type { ControlplaneConfig } from "../controlplane/Controlplane.js";
import {
  DELETION_COST,
  DO_NOT_DISRUPT,
  SAFE_TO_EVICT,
  SAVED_HINTS,
} from "../controlplane/podcounter/hints.js";
import { BUSY_SINCE, DROPPED, LEASES } from "../controlplane/podcounter/podLife.js";
import { parseDuration } from "../common/duration.js";
import { boolFlag } from "./boolFlag.js";
import { flag } from "./flag.js";

export const POD_COUNTER_DEFAULTS = {
  label: "active-jobs",
  removeOnZero: true,
  allowNegative: false,
  autoscalerHints: true,
  podDeletionCost: false,
  maxBusy: "0",
} as const;

export interface PodCounterCliOptions {
  label: string;
  removeOnZero: boolean;
  allowNegative: boolean;
  labelSelector?: string;
  autoscalerHints: boolean;
  podDeletionCost: boolean;
  maxBusy: string;
}

/** The pod counter's flags (see docs/pod-counter.md). */
export function addPodCounterOptions(cmd: Command): Command {
  const d = POD_COUNTER_DEFAULTS;
  return cmd
    .addOption(flag("--label <name>", "the pod label that counts busy work", d.label))
    .addOption(
      boolFlag("--remove-on-zero", "remove the label at 0 (else set it to 0)", d.removeOnZero),
    )
    .addOption(
      boolFlag(
        "--allow-negative",
        "let the counter go below 0 (else a decrement at 0 stays 0); below 0 the annotation of the same name holds the count, the label is as at 0",
        d.allowNegative,
      ),
    )
    .addOption(
      flag(
        "--label-selector <selector>",
        "only pods this selects may be counted (e.g. app=worker); others are not found",
      ),
    )
    .addOption(
      boolFlag(
        "--autoscaler-hints",
        "while a pod's count is above 0 it also carries cluster-autoscaler.kubernetes.io/safe-to-evict=false and karpenter.sh/do-not-disrupt=true, in the same write; at 0 the pod's own values come back",
        d.autoscalerHints,
      ),
    )
    .addOption(
      boolFlag(
        "--pod-deletion-cost",
        "while a pod's count is above 0, controller.kubernetes.io/pod-deletion-cost is the count, so a ReplicaSet's scale-in takes idle pods first; at 0 the pod's own value comes back",
        d.podDeletionCost,
      ),
    )
    .addOption(
      flag(
        "--max-busy <duration>",
        "a pod busy for longer than this (e.g. 6h) loses its protection whatever its count says: the label and hints go, with a Warning Event ProtectionDropped on the pod, until the count is back to 0 (0: no ceiling)",
        d.maxBusy,
      ),
    );
}

// A label key: an optional DNS prefix and a name of up to 63 characters.
function checkLabelKey(label: string, fail: (message: string) => Error): void {
  const key = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
  if (!key.test(label)) throw fail(`--label "${label}" is not a valid label key`);
}

/** Checks and converts the pod counter's flags; `fail` makes the error naming the flag. */
export function podCounterConfig(
  o: PodCounterCliOptions,
  fail: (message: string) => Error,
): ControlplaneConfig["podCounter"] {
  checkLabelKey(o.label, fail);
  const own = [
    SAFE_TO_EVICT,
    DO_NOT_DISRUPT,
    DELETION_COST,
    SAVED_HINTS,
    LEASES,
    BUSY_SINCE,
    DROPPED,
  ];
  if (own.includes(o.label))
    throw fail(`--label "${o.label}" is a key the pod counter sets beside the count`);
  return {
    label: o.label,
    removeOnZero: o.removeOnZero,
    allowNegative: o.allowNegative,
    labelSelector: o.labelSelector === "" ? undefined : o.labelSelector,
    autoscalerHints: o.autoscalerHints,
    podDeletionCost: o.podDeletionCost,
    maxBusyMs: maxBusyOf(o.maxBusy, fail),
  };
}

function maxBusyOf(value: string, fail: (message: string) => Error): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw fail(`--max-busy: ${(err as Error).message}`);
  }
}
