import { DurationError } from "../common/duration.js";
import { ListenAddressError } from "../common/listenAddress.js";
import { ServeFailure } from "./ServeFailure.js";

/**
 * Whether `err` is one of the errors, of modules every command loads, that mean the command line
 * is wrong: the sidecar's only ones. (badInput.ts adds the controlplane's.)
 */
export function isLightBadInput(err: unknown): boolean {
  return err instanceof ListenAddressError || err instanceof DurationError;
}

/**
 * Writes why a command failed and returns its exit code: a role that could not serve is 1 with
 * one line, bad input 2 with its message (never a stack), anything else 1 with the stack.
 */
export async function reportFailure(
  err: unknown,
  isBadInput: (err: unknown) => boolean | Promise<boolean> = isLightBadInput,
): Promise<number> {
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
