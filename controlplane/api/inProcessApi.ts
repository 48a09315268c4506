import { isAbortError } from "abort-controller-x";
import { ApiError } from "../../contract/errors.js";
import type { CallOptions, JobhooksApi, Operations } from "../../contract/JobhooksApi.js";
import type { Watcher } from "../../contract/model.js";
import type { Logger } from "../../common/logger.js";
import type { Auth, Caller } from "../auth/Caller.js";

export interface InProcessApiOptions {
  auth: Auth;
  log: Logger;
  /** The controlplane's own health, as its gRPC health check answers it. */
  ready(): true | string;
}

/**
 * The service for a client in the controlplane's process (`jobhooks all`): each call's
 * credentials are authenticated as the gRPC server does, then the operation is called directly.
 * An error that is not the API's is logged and answered as the gRPC server answers it
 * (internal, without its details).
 */
export function inProcessApi(service: Operations<Caller>, o: InProcessApiOptions): JobhooksApi {
  const internal = (err: unknown, operation: string): unknown => {
    if (err instanceof ApiError || isAbortError(err)) return err;
    o.log.error({ err, operation }, "unexpected error in an in-process call");
    return new ApiError("internal", "internal error; see the controlplane's log");
  };
  // Authenticates, then calls: every unary operation of the service.
  function unary<A extends unknown[], R>(
    operation: string,
    f: (caller: Caller, ...args: A) => Promise<R>,
  ): (options: CallOptions, ...args: A) => Promise<R> {
    return async (options, ...args) => {
      try {
        return await f(await o.auth.authenticate(options.authorization), ...args);
      } catch (err) {
        throw internal(err, operation);
      }
    };
  }
  async function* watch(
    options: CallOptions,
    id: string,
    signal: AbortSignal,
  ): AsyncGenerator<Watcher> {
    try {
      const caller = await o.auth.authenticate(options.authorization);
      yield* service.watchers.watch(caller, id, signal);
    } catch (err) {
      throw internal(err, "watchers.watch");
    }
  }
  const { webhooks: h, watchers: w, podCounter: p } = service;
  return {
    webhooks: {
      create: unary("webhooks.create", h.create.bind(h)),
      get: unary("webhooks.get", h.get.bind(h)),
      list: unary("webhooks.list", h.list.bind(h)),
      delete: unary("webhooks.delete", h.delete.bind(h)),
      recover: unary("webhooks.recover", h.recover.bind(h)),
      enable: unary("webhooks.enable", h.enable.bind(h)),
      rotateSecret: unary("webhooks.rotateSecret", h.rotateSecret.bind(h)),
    },
    watchers: {
      create: unary("watchers.create", w.create.bind(w)),
      get: unary("watchers.get", w.get.bind(w)),
      list: unary("watchers.list", w.list.bind(w)),
      cancel: unary("watchers.cancel", w.cancel.bind(w)),
      redeliver: unary("watchers.redeliver", w.redeliver.bind(w)),
      watch,
      deliveries: unary("watchers.deliveries", w.deliveries.bind(w)),
    },
    podCounter: {
      count: unary("podCounter.count", p.count.bind(p)),
      renewLease: unary("podCounter.renewLease", p.renewLease.bind(p)),
      releaseLease: unary("podCounter.releaseLease", p.releaseLease.bind(p)),
      forceRelease: unary("podCounter.forceRelease", p.forceRelease.bind(p)),
    },
    ready: () => Promise.resolve(o.ready()),
    close: () => {},
  };
}
