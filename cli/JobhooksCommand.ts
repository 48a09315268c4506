import { Command, type ParseOptionsResult } from "commander";
import { expandBareBooleans, isBoolFlag, SeparateBoolValueError } from "./boolFlag.js";

/**
 * commander's Command, with boolean flags taken as Go's flag package takes them (boolFlag.ts):
 * each command rewrites its own bare boolean flags before parsing, so a bare flag never takes
 * the argument after it as its value.
 */
export class JobhooksCommand extends Command {
  override createCommand(name?: string): JobhooksCommand {
    return new JobhooksCommand(name);
  }

  override parseOptions(argv: string[]): ParseOptionsResult {
    const isBoolean = (arg: string): boolean =>
      this.options.some((o) => o.long === arg && isBoolFlag(o));
    let args: string[];
    try {
      args = expandBareBooleans(argv, isBoolean);
    } catch (err) {
      if (!(err instanceof SeparateBoolValueError)) throw err;
      this.error(`error: ${err.message}`, { code: "jobhooks.separateBoolValue" });
    }
    return super.parseOptions(args);
  }
}
