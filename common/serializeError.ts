// pino's std `err` serializer (pino-std-serializers 7), for the light logger: the same fields in
// the same order, the causes folded into message and stack as pino folds them.

type ErrorLike = Record<string, unknown> & { message: string };

export function isErrorLike(value: unknown): value is ErrorLike {
  return typeof (value as { message?: unknown } | null)?.message === "string";
}

/** {type, message, stack, aggregateErrors?, ...enumerable fields}; anything else as it is. */
export function serializeError(value: unknown): unknown {
  return isErrorLike(value) ? serialize(value, new Set()) : value;
}

function serialize(err: ErrorLike, ancestors: Set<ErrorLike>): Record<string, unknown> {
  ancestors.add(err);
  const out: Record<string, unknown> = {
    type: typeof err.constructor === "function" ? err.constructor.name : err.name,
    message: messageWithCauses(err, new Set(), false),
    stack: stackWithCauses(err, new Set()),
  };
  if (Array.isArray(err.errors)) {
    out.aggregateErrors = err.errors.map((e: unknown) => serializeError(e));
  }
  // pino copies every enumerable key, inherited ones too.
  for (const key in err) {
    if (out[key] === undefined) copyField(out, key, err[key], ancestors);
  }
  ancestors.delete(err);
  return out;
}

function copyField(
  out: Record<string, unknown>,
  key: string,
  value: unknown,
  ancestors: Set<ErrorLike>,
): void {
  if (!isErrorLike(value)) out[key] = value;
  // A cause is in message and stack already; an error that holds its holder is left out.
  else if (key !== "cause" && !ancestors.has(value)) out[key] = serialize(value, ancestors);
}

/** The cause, or what a VError-style cause() returns, if it is an error. */
function causeOf(err: ErrorLike): ErrorLike | undefined {
  const cause = typeof err.cause === "function" ? (err.cause as () => unknown)() : err.cause;
  return isErrorLike(cause) ? cause : undefined;
}

/** "outer: inner: innermost"; a VError-style cause's message already holds its causes'. */
function messageWithCauses(err: ErrorLike, seen: Set<ErrorLike>, skip: boolean): string {
  const message = skip ? "" : err.message || "";
  if (seen.has(err)) return `${message}: ...`;
  const cause = causeOf(err);
  if (!cause) return message;
  seen.add(err);
  const vErrorStyle = typeof err.cause === "function";
  return message + (vErrorStyle ? "" : ": ") + messageWithCauses(cause, seen, vErrorStyle);
}

function stackWithCauses(err: ErrorLike, seen: Set<ErrorLike>): string {
  const stack = typeof err.stack === "string" ? err.stack : "";
  if (seen.has(err)) return `${stack}\ncauses have become circular...`;
  const cause = causeOf(err);
  if (!cause) return stack;
  seen.add(err);
  return `${stack}\ncaused by: ${stackWithCauses(cause, seen)}`;
}
