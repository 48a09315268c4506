import type { CallOptions, JobhooksApi } from "../contract/JobhooksApi.js";
import type { CounterValue, Watcher, WatcherRequest } from "../contract/model.js";
import {
  counterRequestToProto,
  counterValueFromProto,
  leaseRequestToProto,
} from "../proto/codec/counter.js";
import type { ControlplaneClientOptions } from "./connect.js";
import { fromGrpcError } from "./fromGrpcError.js";
import {
  decodeCounterValue,
  encodeCounterRequest,
  encodeLeaseRequest,
  type CounterRequestMessage,
  type CounterValueMessage,
  type LeaseRequestMessage,
} from "./lite/counterMessages.js";
import { controlplaneReady } from "./lite/health.js";
import { Http2Channel } from "./lite/Http2Channel.js";
import {
  liteCallOptions,
  liteDefaults,
  liteMethod,
  type LiteCallOptions,
  type MessageType,
} from "./lite/liteClient.js";

/** What the sidecar calls of jobhooks' API. */
export type SidecarApi = Pick<JobhooksApi, "ready" | "close"> & {
  podCounter: Pick<JobhooksApi["podCounter"], "count" | "renewLease" | "releaseLease">;
  watchers: Pick<JobhooksApi["watchers"], "create">;
};

type CreateWatcher = (
  o: LiteCallOptions,
  request: WatcherRequest,
  key?: string,
) => Promise<Watcher>;

const COUNTER_SERVICE = "/jobhooks.v1.PodCounterService/";

// Every call's errors become ApiErrors, as grpcApi.ts makes them.
async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw fromGrpcError(err);
  }
}

// The light client's message types, from the hand-written messages: a request is only sent and
// a response only received here.
function requestType(encode: (m: never) => Uint8Array): MessageType {
  return {
    encode: (m) => ({ finish: () => encode(m as never) }),
    decode: () => {
      throw new Error("a request is not decoded here");
    },
  };
}

const COUNTER_VALUE: MessageType = {
  encode: () => {
    throw new Error("a response is not encoded here");
  },
  decode: decodeCounterValue,
};

/**
 * jobhooks' API at `address` (HOST:PORT) as the sidecar calls it, over the light gRPC client:
 * the pod counter's calls with hand-written messages (lite/counterMessages.ts), a watcher's
 * create with the generated code, loaded at the first watcher (most pods only count). The same
 * calls as connectLiteApi's, for less memory in every pod: the generated code of all three
 * services is not loaded at start. Ready while the controlplane's gRPC health is SERVING.
 */
export function connectSidecarApi(address: string, o: ControlplaneClientOptions = {}): SidecarApi {
  const channel = new Http2Channel(address);
  const defaults = liteDefaults(o);
  // The counter's methods have no idempotency level: retried only when the caller asks.
  const method = (name: string, request: MessageType) => {
    const send = liteMethod(
      channel,
      COUNTER_SERVICE + name,
      {
        name,
        requestType: request,
        responseType: COUNTER_VALUE,
        requestStream: false,
        responseStream: false,
        options: {},
      },
      defaults,
    );
    return async (message: unknown, co: CallOptions): Promise<CounterValue> =>
      call(async () =>
        counterValueFromProto((await send(message, liteCallOptions(co))) as CounterValueMessage),
      );
  };
  const counterRequest = requestType(encodeCounterRequest);
  const leaseRequest = requestType(encodeLeaseRequest);
  const increment = method("Increment", counterRequest);
  const decrement = method("Decrement", counterRequest);
  const getCounter = method("GetCounter", counterRequest);
  const renew = method("RenewLease", leaseRequest);
  const release = method("ReleaseLease", leaseRequest);
  let createWatcher: Promise<CreateWatcher> | undefined;
  return {
    podCounter: {
      count: (co, request, delta) => {
        const send = delta > 0 ? increment : delta < 0 ? decrement : getCounter;
        return send(counterRequestToProto(request) satisfies CounterRequestMessage, co);
      },
      renewLease: (co, request) =>
        renew(leaseRequestToProto(request) satisfies LeaseRequestMessage, co),
      releaseLease: (co, request) =>
        release(leaseRequestToProto(request) satisfies LeaseRequestMessage, co),
    },
    watchers: {
      create: async (co, request, key) => {
        createWatcher ??= import("./sidecarWatchers.js").then((m) =>
          m.watcherCreate(channel, defaults),
        );
        const create = await createWatcher;
        return call(() => create(liteCallOptions(co), request, key));
      },
    },
    ready: () => controlplaneReady(channel),
    close: () => channel.close(),
  };
}
