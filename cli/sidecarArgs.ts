import { envName } from "./envName.js";
import type { ServeSidecarOptions } from "./serveSidecar.js";
import { optionKey, SIDECAR_FLAGS } from "./sidecarFlags.js";

const LONGS = new Set(SIDECAR_FLAGS.map((f) => f.long));

/**
 * `jobhooks sidecar`'s arguments (those after `sidecar`) read without commander: commander and
 * the other commands' option modules cost about 5 MiB of memory in every injected pod and some
 * 50 ms of its start. Only what is plainly right is read here: each argument a known flag with
 * its value, `--name=value` or `--name value`; then, as commander takes them, the environment
 * (JOBHOOKS_<FLAG>, set even when empty) where no flag gave a value, and the defaults. Anything
 * else is undefined: --help or --version, an unknown flag or an operand, a missing value, a
 * value that starts with "-" or is not one of the flag's choices. program.ts then parses the
 * same arguments with commander, so help and every error stay commander's own.
 */
export function parseSidecarArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): ServeSidecarOptions | undefined {
  const given = flagsGiven(args);
  if (given === undefined) return undefined;
  const options: Record<string, string> = {};
  for (const f of SIDECAR_FLAGS) {
    const value = given.get(f.long) ?? env[envName(f.long)] ?? f.default;
    if (value === undefined) continue;
    if (f.choices && !f.choices.includes(value)) return undefined;
    options[optionKey(f.long)] = value;
  }
  // The flags' table (sidecarFlags.ts) has each of ServeSidecarOptions' keys, defaulted or not.
  return options as unknown as ServeSidecarOptions;
}

/** The value of each flag on the command line (the last, when one is given twice). */
function flagsGiven(args: readonly string[]): Map<string, string> | undefined {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.indexOf("=");
    const long = eq === -1 ? arg : arg.slice(0, eq);
    if (!LONGS.has(long)) return undefined;
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    // A separate value that looks like a flag: perhaps a value forgotten, commander's to tell.
    if (value === undefined || (eq === -1 && value.startsWith("-"))) return undefined;
    given.set(long, value);
  }
  return given;
}
