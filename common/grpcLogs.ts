import { setLogger } from "@grpc/grpc-js";
import { format } from "node:util";
import type { Logger } from "./logger.js";

/**
 * grpc-js writes its own errors to stderr ("E No address added ..." before a failed listen
 * rejects); sent here they are JSON log lines like the rest, and stderr carries only the
 * process's own one-line failure.
 */
export function sendGrpcLogsTo(log: Logger): void {
  const child = log.child({ part: "grpc-js" });
  setLogger({
    error: (...args: unknown[]) => child.error(format(...args)),
    info: (...args: unknown[]) => child.info(format(...args)),
    debug: (...args: unknown[]) => child.debug(format(...args)),
  });
}
