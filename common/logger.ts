import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** The one logger: JSON lines on stdout, one child per component. */
export function createLogger(level: LevelWithSilent, component: string): Logger {
  return pino({ level, base: { component } });
}
