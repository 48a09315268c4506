import {
  createChannel,
  createClientFactory,
  Metadata,
  type CallOptions,
  type Channel,
} from "nice-grpc";
import { deadlineMiddleware, type DeadlineOptions } from "nice-grpc-client-middleware-deadline";
import { retryMiddleware, type RetryOptions } from "nice-grpc-client-middleware-retry";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import type { CallOptions as ApiCallOptions } from "../contract/JobhooksApi.js";
import { PodCounterServiceDefinition } from "../proto/gen/jobhooks/v1/podcounter.js";
import { JobDoneWatcherServiceDefinition } from "../proto/gen/jobhooks/v1/watchers.js";
import { WebhookServiceDefinition } from "../proto/gen/jobhooks/v1/webhooks.js";
import type { ControlplaneClients } from "./clients.js";

export type ControlplaneCallOptions = CallOptions & DeadlineOptions & RetryOptions;

/** Clients of a controlplane across the network. */
export interface RemoteControlplaneClients extends ControlplaneClients<ControlplaneCallOptions> {
  channel: Channel;
}

export interface ControlplaneClientOptions {
  /** Each attempt of a call; default 10 s. */
  deadlineMs?: number;
  /** Attempts of a call without side effects (Get, List) when the controlplane is unavailable. */
  retryMaxAttempts?: number;
}

/**
 * Clients for `address` (HOST:PORT). Every call has a deadline; calls marked NO_SIDE_EFFECTS in
 * the proto are retried with backoff when the controlplane is briefly unavailable.
 */
export function connectControlplane(
  address: string,
  o: ControlplaneClientOptions = {},
): RemoteControlplaneClients {
  // grpc-js backs off up to 120 s between reconnects; a restarted controlplane should be found
  // within seconds, not minutes.
  const channel = createChannel(address, undefined, {
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 5000,
  });
  // First added is outermost: rich error details, then retries, then a deadline per attempt.
  const factory = createClientFactory()
    .use(errorDetailsClientMiddleware)
    .use(retryMiddleware)
    .use(deadlineMiddleware);
  const defaults = {
    "*": {
      deadline: o.deadlineMs ?? 10_000,
      retryMaxAttempts: o.retryMaxAttempts ?? 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
    },
  };
  return {
    channel,
    webhooks: factory.create(WebhookServiceDefinition, channel, defaults),
    watchers: factory.create(JobDoneWatcherServiceDefinition, channel, defaults),
    podCounter: factory.create(PodCounterServiceDefinition, channel, defaults),
    close: () => channel.close(),
  };
}

/** The caller's credentials and the call's wishes, as nice-grpc call options. */
export function grpcCallOptions(o: ApiCallOptions): ControlplaneCallOptions {
  return {
    ...(o.authorization && { metadata: Metadata({ authorization: o.authorization }) }),
    ...(o.signal && { signal: o.signal }),
    ...(o.retry !== undefined && { retry: o.retry }),
  };
}

/** Call options that pass the caller's credentials on (the controlplane decides). */
export function withAuthorization(authorization: string | undefined): ControlplaneCallOptions {
  return authorization ? { metadata: Metadata({ authorization }) } : {};
}
