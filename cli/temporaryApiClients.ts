// TEMPORARY, until the REST gateway takes a JobhooksApi (branch `rest`): the gateway still calls
// the controlplane through gRPC clients, so `jobhooks all` hands it the in-process API dressed as
// them. Delete this file when the gateway is on JobhooksApi.
import { Metadata } from "nice-grpc-common";
import type { ControlplaneCallOptions, ControlplaneClients } from "../client/connect.js";
import type { Logger } from "../common/logger.js";
import type { CallOptions, JobhooksApi } from "../contract/JobhooksApi.js";
import { toServerError } from "../controlplane/grpc/errorMapping.js";
import { counterRequestFromProto, counterValueToProto } from "../proto/codec/counter.js";
import {
  watcherFilterFromProto,
  watcherPageToProto,
  watcherRequestFromProto,
  watcherToProto,
} from "../proto/codec/watchers.js";
import {
  pageFromProto,
  webhookInputFromProto,
  webhookPageToProto,
  webhookToProto,
} from "../proto/codec/webhooks.js";
import {
  CounterRequest,
  type CounterValue as ProtoCounterValue,
} from "../proto/gen/jobhooks/v1/podcounter.js";
import * as W from "../proto/gen/jobhooks/v1/watchers.js";
import * as H from "../proto/gen/jobhooks/v1/webhooks.js";

type Call<Req, Res> = (req: Req, options?: ControlplaneCallOptions) => Promise<Res>;

export function temporaryApiClients(api: JobhooksApi, log: Logger): ControlplaneClients {
  const opts = (o?: ControlplaneCallOptions): CallOptions => ({
    authorization: (o?.metadata ?? Metadata()).get("authorization"),
  });
  // As on the wire: absent fields take their defaults; errors are gRPC's.
  function unary<Req, Res>(
    type: { fromPartial(p: never): Req },
    f: (req: Req, o: CallOptions) => Promise<Res>,
  ): Call<Partial<Req>, Res> {
    return async (req, o) => {
      try {
        return await f(type.fromPartial(req as never), opts(o));
      } catch (err) {
        throw toServerError(err, "in-process", log);
      }
    };
  }
  const count = (delta: -1 | 0 | 1): Call<Partial<CounterRequest>, ProtoCounterValue> =>
    unary(CounterRequest, async (r, o) =>
      counterValueToProto(await api.podCounter.count(o, counterRequestFromProto(r), delta)),
    );
  return {
    webhooks: {
      createWebhook: unary(H.CreateWebhookRequest, async (r, o) =>
        webhookToProto(await api.webhooks.create(o, webhookInputFromProto(r))),
      ),
      getWebhook: unary(H.GetWebhookRequest, async (r, o) =>
        webhookToProto(await api.webhooks.get(o, r.id)),
      ),
      listWebhooks: unary(H.ListWebhooksRequest, async (r, o) =>
        webhookPageToProto(await api.webhooks.list(o, pageFromProto(r))),
      ),
      deleteWebhook: unary(H.DeleteWebhookRequest, async (r, o) => {
        await api.webhooks.delete(o, r.id);
        return {};
      }),
    },
    watchers: {
      createWatcher: unary(W.CreateWatcherRequest, async (r, o) => {
        const { request, idempotencyKey } = watcherRequestFromProto(r);
        return watcherToProto(await api.watchers.create(o, request, idempotencyKey));
      }),
      getWatcher: unary(W.GetWatcherRequest, async (r, o) =>
        watcherToProto(await api.watchers.get(o, r.id)),
      ),
      listWatchers: unary(W.ListWatchersRequest, async (r, o) =>
        watcherPageToProto(await api.watchers.list(o, watcherFilterFromProto(r), pageFromProto(r))),
      ),
      cancelWatcher: unary(W.CancelWatcherRequest, async (r, o) =>
        watcherToProto(await api.watchers.cancel(o, r.id)),
      ),
      watchWatcher: () => {
        throw new Error("the gateway does not watch");
      },
    },
    podCounter: { increment: count(1), decrement: count(-1), getCounter: count(0) },
    close: () => api.close(),
  };
}
