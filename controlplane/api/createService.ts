import type { Operations } from "../../contract/JobhooksApi.js";
import type { Auth, Caller } from "../auth/Caller.js";
import type { PodJobs } from "../auth/PodJobs.js";
import type { PodCounter } from "../podcounter/PodCounter.js";
import type { DeliveryLogRepo } from "../store/DeliveryLogRepo.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";
import type { Redeliveries } from "../watchers/Redeliveries.js";
import type { Webhooks } from "../watchers/Webhooks.js";
import { counterOperations } from "./counterOperations.js";
import { watcherOperations } from "./watcherOperations.js";
import { webhookOperations } from "./webhookOperations.js";

export interface ServiceDeps {
  webhooks: Webhooks;
  engine: WatcherEngine;
  /** Sends ended deliveries again (a trigger's, a webhook's missed ones). */
  redeliveries: Redeliveries;
  counter: PodCounter;
  /** The attempt log, for the watchers' deliveries. */
  deliveryLog: Pick<DeliveryLogRepo, "attempts">;
  auth: Auth;
  /** Which Job a calling pod belongs to; without it every caller needs RBAC. */
  podJobs?: Pick<PodJobs, "jobOf"> | undefined;
  /** Namespace of what a request and its caller name none. */
  defaultNamespace: string;
  /** Namespaces served; undefined: all. */
  namespaces: readonly string[] | undefined;
  /** A watch stream reads its watcher at least this often (a store several replicas write). */
  watchPollMs?: number;
}

/**
 * jobhooks' operations for an authenticated caller, whatever the transport: each decides who
 * may, fills in defaults and validates, then asks the core. Errors are ApiErrors whose fields
 * have the domain's names; the transports name them their own way.
 */
export function createService(d: ServiceDeps): Operations<Caller> {
  return {
    webhooks: webhookOperations(d.webhooks, d.auth, d.redeliveries),
    watchers: watcherOperations(d.engine, d.auth, {
      defaultNamespace: d.defaultNamespace,
      podJobs: d.podJobs,
      pollMs: d.watchPollMs,
      redeliveries: d.redeliveries,
      deliveryLog: d.deliveryLog,
    }),
    podCounter: counterOperations(d.counter, {
      auth: d.auth,
      defaultNamespace: d.defaultNamespace,
      namespaces: d.namespaces,
    }),
  };
}
