import { InvalidArgumentError, Option } from "commander";
import { envName } from "./flag.js";

// pod-webhook-tracker's flags were Go's: a bool flag takes strconv.ParseBool's spellings.
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

const booleans = new WeakSet<Option>();

/** A boolean flag's value, from the command line or the environment. */
export function parseBool(value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InvalidArgumentError("Expected true or false (also 1, 0, t, f).");
}

/**
 * A boolean flag as Go's flag package takes it: `--name` alone is true and never takes the next
 * argument as its value, `--name=false` is false, JOBHOOKS_NAME=false likewise. The bare form
 * is rewritten by JobhooksCommand before commander sees it (see expandBareBooleans).
 */
export function boolFlag(long: string, description: string, defaultValue: boolean): Option {
  const option = new Option(`${long} [bool]`, description)
    .env(envName(long))
    .argParser(parseBool)
    .default(defaultValue);
  booleans.add(option);
  return option;
}

export function isBoolFlag(option: Option): boolean {
  return booleans.has(option);
}

/** A bare boolean flag followed by a word that reads as its value: Go would not take it. */
export class SeparateBoolValueError extends Error {
  constructor(flag: string, value: string) {
    super(
      `${flag} takes its value after "=": write ${flag}=${value} (a bare ${flag} means true, and "${value}" would be left over)`,
    );
  }
}

/**
 * The arguments with each bare boolean flag written out as `--name=true`, up to a `--`. A bare
 * flag followed by a boolean word (`--allow-negative false`) is refused: Go's flag package
 * would leave the word over and turn the flag on, the opposite of what was meant.
 */
export function expandBareBooleans(
  args: readonly string[],
  isBoolean: (arg: string) => boolean,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (!isBoolean(arg)) {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && (TRUE.has(next) || FALSE.has(next))) {
      throw new SeparateBoolValueError(arg, next);
    }
    out.push(`${arg}=true`);
  }
  return out;
}
