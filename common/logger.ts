// No imports: cli/program.ts loads this file for every command, the sidecar's too, and the
// sidecar must not load pino (pinoLogger.ts) — the light logger (lightLogger.ts) is its own.

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** A level `--log-level` takes; `silent` logs nothing. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** pino's call shapes: `(msg)`, or `(obj, msg?)` with `obj` an Error or fields to merge. */
export interface LogFn {
  (msg: string): void;
  (obj: unknown, msg?: string): void;
}

/**
 * What the code base uses of a logger. pino's Logger has this shape (the controlplane and the
 * gateway log through pino); so has the sidecar's light logger. Both write JSON lines on stdout.
 */
export interface Logger {
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: string): boolean;
}
