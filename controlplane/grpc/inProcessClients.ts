import { Metadata, type CallContext } from "nice-grpc";
import type { ControlplaneCallOptions, ControlplaneClients } from "../../client/connect.js";
import type { Logger } from "../../common/logger.js";
import {
  JobDoneWatcherServiceDefinition as Watchers,
  type JobDoneWatcherServiceClient,
  type JobDoneWatcherServiceImplementation,
} from "../../proto/gen/jobhooks/v1/watchers.js";
import {
  WebhookServiceDefinition as Hooks,
  type WebhookServiceClient,
  type WebhookServiceImplementation,
} from "../../proto/gen/jobhooks/v1/webhooks.js";
import {
  PodCounterServiceDefinition as Counter,
  type PodCounterServiceClient,
  type PodCounterServiceImplementation,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import type { Auth } from "../auth/Caller.js";
import type { CallerContext } from "./authMiddleware.js";
import { toServerError } from "./errorMapping.js";

export interface Services {
  webhooks: WebhookServiceImplementation<CallerContext>;
  watchers: JobDoneWatcherServiceImplementation<CallerContext>;
  podCounter: PodCounterServiceImplementation<CallerContext>;
}

interface MethodTypes<Res> {
  name: string;
  requestType: { fromPartial(partial: never): unknown };
  responseType: { fromPartial(partial: never): Res };
}

/**
 * The controlplane's services as clients, for a gateway in the same process (`jobhooks all`):
 * the calls the gRPC server would take, with the same authentication, defaults and errors, but
 * without encoding them to protobuf and sending them to ourselves over HTTP/2.
 */
export function inProcessClients(services: Services, auth: Auth, log: Logger): ControlplaneClients {
  function unary<Res>(
    method: MethodTypes<Res>,
    impl: (req: never, ctx: CallContext & CallerContext) => Promise<unknown>,
  ): (req: unknown, options?: ControlplaneCallOptions) => Promise<Res> {
    return async (req, options) => {
      const metadata = options?.metadata ?? Metadata();
      try {
        const caller = await auth.authenticate(metadata.get("authorization"));
        const context = {
          caller,
          metadata,
          peer: "in-process",
          header: Metadata(),
          trailer: Metadata(),
          signal: options?.signal ?? new AbortController().signal,
        } as CallContext & CallerContext;
        // As on the wire: absent fields take their defaults, in the request and the response.
        const response = await impl(method.requestType.fromPartial(req as never) as never, context);
        return method.responseType.fromPartial(response as never);
      } catch (err) {
        throw toServerError(err, method.name, log);
      }
    };
  }
  const h = services.webhooks;
  const w = services.watchers;
  const webhooks: WebhookServiceClient<ControlplaneCallOptions> = {
    createWebhook: unary(Hooks.methods.createWebhook, h.createWebhook.bind(h)),
    getWebhook: unary(Hooks.methods.getWebhook, h.getWebhook.bind(h)),
    listWebhooks: unary(Hooks.methods.listWebhooks, h.listWebhooks.bind(h)),
    deleteWebhook: unary(Hooks.methods.deleteWebhook, h.deleteWebhook.bind(h)),
  };
  const watchers: JobDoneWatcherServiceClient<ControlplaneCallOptions> = {
    createWatcher: unary(Watchers.methods.createWatcher, w.createWatcher.bind(w)),
    getWatcher: unary(Watchers.methods.getWatcher, w.getWatcher.bind(w)),
    listWatchers: unary(Watchers.methods.listWatchers, w.listWatchers.bind(w)),
    cancelWatcher: unary(Watchers.methods.cancelWatcher, w.cancelWatcher.bind(w)),
    watchWatcher: () => {
      throw new Error("WatchWatcher is served over gRPC only");
    },
  };
  const p = services.podCounter;
  const podCounter: PodCounterServiceClient<ControlplaneCallOptions> = {
    increment: unary(Counter.methods.increment, p.increment.bind(p)),
    decrement: unary(Counter.methods.decrement, p.decrement.bind(p)),
    getCounter: unary(Counter.methods.getCounter, p.getCounter.bind(p)),
  };
  return { webhooks, watchers, podCounter, close: () => {} };
}
