import { writeSync } from "node:fs";
import { isErrorLike, serializeError } from "./serializeError.js";
import type { Logger, LogLevel } from "./logger.js";

// The sidecar's logger: pino's JSON lines, without pino (5–7 MiB of RSS in every injected pod).
// A line has pino's keys in pino's order: level (pino's number), time (epoch ms), the bindings
// (component, then each child's), the object's fields, msg. An Error, or the `err` field, is
// serialized as pino's std serializer does. No printf-style arguments: the code base has none.

/** pino's level numbers; silent logs nothing. */
export const LEVEL_NUMBERS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/** Where lines go: one call per line, the line ending in "\n". */
export type WriteLine = (line: string) => void;

export function createLightLogger(
  level: LogLevel,
  component: string,
  write: WriteLine = writeStdout,
): Logger {
  return new LightLogger(LEVEL_NUMBERS[level], bindingsJson({ component }), write);
}

class LightLogger implements Logger {
  readonly trace = this.logAt(10);
  readonly debug = this.logAt(20);
  readonly info = this.logAt(30);
  readonly warn = this.logAt(40);
  readonly error = this.logAt(50);
  readonly fatal = this.logAt(60);

  constructor(
    private readonly threshold: number,
    private readonly bindings: string,
    private readonly write: WriteLine,
  ) {}

  get level(): string {
    return levelName(this.threshold);
  }

  child(bindings: Record<string, unknown>): Logger {
    return new LightLogger(this.threshold, this.bindings + bindingsJson(bindings), this.write);
  }

  isLevelEnabled(level: string): boolean {
    const num = LEVEL_NUMBERS[level as LogLevel] as number | undefined;
    return num !== undefined && num >= this.threshold; // silent too, as in pino
  }

  private logAt(num: number): (obj: unknown, msg?: string) => void {
    return (obj, msg) => {
      if (num < this.threshold) return;
      this.write(`{"level":${num},"time":${Date.now()}${this.bindings}${body(obj, msg)}}\n`);
    };
  }
}

function levelName(threshold: number): string {
  const entry = Object.entries(LEVEL_NUMBERS).find(([, num]) => num === threshold);
  return entry?.[0] ?? "silent";
}

/** The object's fields and msg, as pino writes them after the bindings. */
function body(obj: unknown, msg: string | undefined): string {
  if (obj instanceof Error) return fieldsJson({ err: obj }) + msgJson(msg ?? obj.message);
  if (typeof obj === "object" && obj !== null) {
    const fields = obj as Record<string, unknown>;
    return fieldsJson(fields) + msgJson(msg ?? errMessage(fields));
  }
  // `(msg)`: a first argument that is not an object is the message.
  return msgJson(obj ?? msg);
}

/** pino: with no message, an `err` field's message is the line's. */
function errMessage(fields: Record<string, unknown>): unknown {
  return fields.msg === undefined && isErrorLike(fields.err) ? fields.err.message : undefined;
}

function msgJson(msg: unknown): string {
  const json = msg === undefined ? undefined : valueJson(msg);
  return json === undefined ? "" : `,"msg":${json}`;
}

/** Bindings pino leaves out (its child() options' names). */
const NOT_BINDINGS = new Set(["level", "serializers", "formatters", "customLevels"]);

function bindingsJson(bindings: Record<string, unknown>): string {
  return fieldsJson(
    Object.fromEntries(Object.entries(bindings).filter(([key]) => !NOT_BINDINGS.has(key))),
  );
}

/** `,"key":value` for each own enumerable field that JSON can hold; `err` serialized. */
function fieldsJson(fields: Record<string, unknown>): string {
  let out = "";
  for (const [key, raw] of Object.entries(fields)) {
    if (raw === undefined || typeof raw === "function") continue;
    const value = key === "err" ? serializeError(raw) : raw;
    const json = valueJson(value);
    if (json !== undefined) out += `,${JSON.stringify(key)}:${json}`;
  }
  return out;
}

function valueJson(value: unknown): string | undefined {
  try {
    // undefined for a value JSON cannot hold (a symbol), as its type does not say.
    const json: string | undefined = JSON.stringify(value);
    return json;
  } catch {
    return safeJson(value);
  }
}

/** Circular references and BigInts, which JSON.stringify throws on, as pino's fallback writes them. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return Number(v);
    if (typeof v !== "object" || v === null) return v;
    if (seen.has(v)) return "[Circular]";
    seen.add(v);
    return v;
  });
}

/** Synchronous, as pino's default destination: a line is out when the call returns. */
function writeStdout(line: string): void {
  let buf = Buffer.from(line);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") sleep(1);
      else if (code === "EPIPE")
        return; // as pino: nobody reads stdout any more
      else throw err;
    }
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
