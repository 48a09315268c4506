import { ListenError } from "../common/ListenError.js";
import type { Logger } from "../common/logger.js";
import { runGroup, type Part } from "../common/runGroup.js";
import { VERSION } from "../common/version.js";
import { ServeFailure } from "./ServeFailure.js";

/** What a role runs: its parts, and what to close once they have stopped. */
export interface Assembly {
  parts: Part[];
  close: () => void | Promise<void>;
}

/** The flag that sets each listening part's address, by the part's name. */
const LISTEN_FLAGS: Record<string, string> = {
  health: "--health-listen",
  grpc: "--grpc-listen",
  injector: "--webhook-listen",
  gateway: "--listen",
  sidecar: "--listen",
  "sidecar-probes": "--probe-listen",
};

/** Runs a role's parts as a group until SIGTERM or SIGINT, or until one fails. */
export async function runUntilSignal(role: string, assembly: Assembly, log: Logger): Promise<void> {
  log.info({ version: VERSION }, `jobhooks ${role} starting`);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, "shutting down");
    stop.abort();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    await runGroup(assembly.parts, stop.signal, log);
  } catch (err) {
    throw explained(role, err);
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await assembly.close();
  }
  log.info("stopped");
}

// A port taken is the user's to fix: one line naming the address and the flag that set it.
function explained(role: string, err: unknown): unknown {
  if (!(err instanceof ListenError)) return err;
  const flag = LISTEN_FLAGS[err.part];
  return new ServeFailure(
    role,
    `cannot listen on ${err.address}${flag ? ` (${flag})` : ""}: ${err.reason}`,
    { cause: err },
  );
}
