import type { CallOptions as GrpcCallOptions } from "nice-grpc-common";
import type { CallOptions, Operations } from "../contract/JobhooksApi.js";
import { attemptPageFromProto } from "../proto/codec/attempts.js";
import {
  counterRequestToProto,
  counterValueFromProto,
  leaseRequestToProto,
} from "../proto/codec/counter.js";
import {
  watcherFilterToProto,
  watcherFromProto,
  watcherPageFromProto,
  watcherRequestToProto,
} from "../proto/codec/watchers.js";
import {
  pageToProto,
  rotationToProto,
  webhookFromProto,
  webhookInputToProto,
  webhookPageFromProto,
} from "../proto/codec/webhooks.js";
import type { ControlplaneClients } from "./clients.js";
import { fromGrpcError } from "./fromGrpcError.js";

/** The caller's credentials and the call's wishes as one client's call options. */
export type ToCallOptions<O> = (o: CallOptions) => O;

// Every call's errors become ApiErrors.
async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw fromGrpcError(err);
  }
}

/**
 * The API's operations over the controlplane's gRPC clients (nice-grpc's, or the light ones):
 * the contract's shapes on both sides.
 */
export function grpcOperations<O extends GrpcCallOptions>(
  c: ControlplaneClients<O>,
  opts: ToCallOptions<O>,
): Operations<CallOptions> {
  return {
    webhooks: {
      create: (o, input) =>
        call(async () =>
          webhookFromProto(await c.webhooks.createWebhook(webhookInputToProto(input), opts(o))),
        ),
      get: (o, id) =>
        call(async () => webhookFromProto(await c.webhooks.getWebhook({ id }, opts(o)))),
      list: (o, page) =>
        call(async () =>
          webhookPageFromProto(await c.webhooks.listWebhooks(pageToProto(page), opts(o))),
        ),
      delete: (o, id) =>
        call(async () => {
          await c.webhooks.deleteWebhook({ id }, opts(o));
        }),
      recover: (o, id, since) =>
        call(async () => {
          const { queued } = await c.webhooks.recoverWebhook({ id, since }, opts(o));
          return { queued };
        }),
      enable: (o, id) =>
        call(async () => webhookFromProto(await c.webhooks.enableWebhook({ id }, opts(o)))),
      rotateSecret: (o, id, rotation) =>
        call(async () =>
          webhookFromProto(
            await c.webhooks.rotateWebhookSecret(rotationToProto(id, rotation), opts(o)),
          ),
        ),
    },
    watchers: {
      create: (o, request, key) =>
        call(async () =>
          watcherFromProto(
            await c.watchers.createWatcher(watcherRequestToProto(request, key), opts(o)),
          ),
        ),
      get: (o, id) =>
        call(async () => watcherFromProto(await c.watchers.getWatcher({ id }, opts(o)))),
      list: (o, filter, page) =>
        call(async () =>
          watcherPageFromProto(
            await c.watchers.listWatchers(
              { ...watcherFilterToProto(filter), ...pageToProto(page) },
              opts(o),
            ),
          ),
        ),
      cancel: (o, id) =>
        call(async () => watcherFromProto(await c.watchers.cancelWatcher({ id }, opts(o)))),
      redeliver: (o, id, triggerId) =>
        call(async () =>
          watcherFromProto(await c.watchers.redeliverTrigger({ id, triggerId }, opts(o))),
        ),
      watch: (o, id, signal) => watchOverGrpc(c, opts({ ...o, signal }), id),
      deliveries: (o, id, page) =>
        call(async () =>
          attemptPageFromProto(
            await c.watchers.listDeliveryAttempts({ id, ...pageToProto(page) }, opts(o)),
          ),
        ),
    },
    podCounter: {
      count: (o, request, delta) => {
        const r = counterRequestToProto(request);
        const method = delta > 0 ? "increment" : delta < 0 ? "decrement" : "getCounter";
        return call(async () => counterValueFromProto(await c.podCounter[method](r, opts(o))));
      },
      renewLease: (o, request) =>
        call(async () =>
          counterValueFromProto(
            await c.podCounter.renewLease(leaseRequestToProto(request), opts(o)),
          ),
        ),
      releaseLease: (o, request) =>
        call(async () =>
          counterValueFromProto(
            await c.podCounter.releaseLease(leaseRequestToProto(request), opts(o)),
          ),
        ),
      forceRelease: (o, request) =>
        call(async () =>
          counterValueFromProto(
            await c.podCounter.forceRelease(counterRequestToProto(request), opts(o)),
          ),
        ),
    },
  };
}

async function* watchOverGrpc<O extends GrpcCallOptions>(
  c: ControlplaneClients<O>,
  o: O,
  id: string,
): AsyncGenerator<ReturnType<typeof watcherFromProto>> {
  try {
    for await (const w of c.watchers.watchWatcher({ id }, o)) {
      yield watcherFromProto(w);
    }
  } catch (err) {
    throw fromGrpcError(err);
  }
}
