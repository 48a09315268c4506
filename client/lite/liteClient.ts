import type { CallOptions } from "../../contract/JobhooksApi.js";
import type { ControlplaneClientOptions } from "../connect.js";
import { isIdempotent, withDeadline, withRetries } from "./callPolicy.js";
import type { Http2Channel } from "./Http2Channel.js";
import { unaryAttempt } from "./unaryAttempt.js";

/** A message's codec as ts-proto generates it. */
export interface MessageType {
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
  fromPartial?(partial: unknown): unknown;
}

/** A method of a ts-proto service definition (outputServices=nice-grpc). */
export interface MethodDefinition {
  name: string;
  requestType: MessageType;
  responseType: MessageType;
  requestStream: boolean;
  responseStream: boolean;
  options: { idempotencyLevel?: string };
}

export interface ServiceDefinition {
  fullName: string;
  methods: Record<string, MethodDefinition>;
}

/** A call's options: the caller's credentials and wishes, and the policy's defaults. */
export interface LiteCallOptions {
  /** Sent as the authorization metadata. */
  authorization?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Retry even a method with side effects (one the caller made safe to repeat), or never. */
  retry?: boolean | undefined;
  /** Each attempt's deadline, in ms. */
  deadline?: number | undefined;
  retryMaxAttempts?: number | undefined;
  retryBaseDelayMs?: number | undefined;
  retryMaxDelayMs?: number | undefined;
}

export type LiteMethod = (request: unknown, options?: LiteCallOptions) => Promise<unknown>;

/** The caller's credentials and the call's wishes, as the light client's call options. */
export function liteCallOptions(o: CallOptions): LiteCallOptions {
  return {
    ...(o.authorization && { authorization: o.authorization }),
    ...(o.signal && { signal: o.signal }),
    ...(o.retry !== undefined && { retry: o.retry }),
  };
}

/** The controlplane client's options as every call's defaults. */
export function liteDefaults(o: ControlplaneClientOptions): LiteCallOptions {
  return {
    ...(o.deadlineMs !== undefined && { deadline: o.deadlineMs }),
    ...(o.retryMaxAttempts !== undefined && { retryMaxAttempts: o.retryMaxAttempts }),
  };
}

/** What nice-grpc's client factory defaulted to, with the controlplane's options. */
export const DEFAULT_CALL_OPTIONS = {
  deadline: 10_000,
  retryMaxAttempts: 3,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 1000,
} as const;

function serializer(type: MessageType): (request: unknown) => Uint8Array {
  return (request) => type.encode(type.fromPartial ? type.fromPartial(request) : request).finish();
}

/** A unary method: a deadline per attempt, retries for idempotent methods (or when asked). */
export function liteMethod(
  channel: Http2Channel,
  path: string,
  method: MethodDefinition,
  defaults: LiteCallOptions = {},
): LiteMethod {
  const serialize = serializer(method.requestType);
  return async (request, options = {}) => {
    const o = { ...DEFAULT_CALL_OPTIONS, ...defaults, ...options };
    const bytes = serialize(request);
    const attempt = (): Promise<Buffer> =>
      withDeadline(path, o.deadline, o.signal, (signal) =>
        unaryAttempt(channel, {
          path,
          request: bytes,
          authorization: o.authorization,
          timeoutMs: o.deadline,
          signal,
        }),
      );
    const retry = o.retry ?? isIdempotent(method.options.idempotencyLevel);
    const response = await withRetries({ ...o, retry, signal: o.signal }, attempt);
    return method.responseType.decode(response);
  };
}

// A streaming method: not for this client (the sidecar makes unary calls only).
function unsupported(path: string): LiteMethod {
  return () => Promise.reject(new Error(`${path}: streaming calls need nice-grpc's client`));
}

/**
 * A client of `definition`'s unary methods over `channel`, each as nice-grpc's client with the
 * deadline and retry middlewares called it; streaming methods reject.
 */
export function createLiteClient(
  definition: ServiceDefinition,
  channel: Http2Channel,
  defaults: LiteCallOptions = {},
): Record<string, LiteMethod> {
  return Object.fromEntries(
    Object.entries(definition.methods).map(([key, m]) => {
      const path = `/${definition.fullName}/${m.name}`;
      const streaming = m.requestStream || m.responseStream;
      return [key, streaming ? unsupported(path) : liteMethod(channel, path, m, defaults)];
    }),
  );
}
