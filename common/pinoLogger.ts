import { pino } from "pino";
import type { Logger, LogLevel } from "./logger.js";

/** The servers' logger: JSON lines on stdout, one child per component. Not the sidecar's. */
export function createLogger(level: LogLevel, component: string): Logger {
  return pino({ level, base: { component } });
}
