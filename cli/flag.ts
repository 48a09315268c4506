import { Option } from "commander";
import { envName } from "./envName.js";

export { envName };

/**
 * A flag that can also be set from the environment. `flags` is commander's spec
 * ("--grpc-listen <address>"); the variable is derived from the long name.
 */
export function flag(flags: string, description: string, defaultValue?: string): Option {
  const option = new Option(flags, description);
  const long = option.long;
  if (long === undefined) throw new Error(`flag ${flags} has no long name`);
  option.env(envName(long));
  if (defaultValue !== undefined) option.default(defaultValue);
  return option;
}
