import { createLogger } from "../../common/pinoLogger.js";
import { testPolicy } from "./egress.js";
import { PermissionDeniedError } from "../../contract/errors.js";
import type { Operations } from "../../contract/JobhooksApi.js";
import { ANONYMOUS, type Access, type Auth, type Caller } from "../../controlplane/auth/Caller.js";
import { SqliteStore } from "../../controlplane/store/sqlite/SqliteStore.js";
import type { Store } from "../../controlplane/store/Store.js";
import { Redeliveries } from "../../controlplane/watchers/Redeliveries.js";
import { WatcherEngine } from "../../controlplane/watchers/WatcherEngine.js";
import { Webhooks, type CheckPayload } from "../../controlplane/watchers/Webhooks.js";
import { webhookOperations } from "../../controlplane/api/webhookOperations.js";
import { watcherOperations } from "../../controlplane/api/watcherOperations.js";

/** Grants what its rules name (by username), refuses the rest; records every question asked. */
export class RuleAuth implements Auth {
  readonly asked: Access[] = [];

  constructor(
    private readonly rules: Record<string, Access[]>,
    private readonly callers: Record<string, Caller> = {},
  ) {}

  authenticate(authorization: string | undefined): Promise<Caller> {
    return Promise.resolve(this.callers[authorization ?? ""] ?? ANONYMOUS);
  }

  authorize(caller: Caller, access: Access): Promise<void> {
    this.asked.push(access);
    const granted = (this.rules[caller.username] ?? []).some(
      (r) =>
        r.verb === access.verb &&
        r.resource === access.resource &&
        (r.namespace === undefined || r.namespace === access.namespace),
    );
    return granted
      ? Promise.resolve()
      : Promise.reject(new PermissionDeniedError(`${caller.username} may not ${access.verb}`));
  }
}

/** A caller of a ServiceAccount, bound to a pod when `pod` is given. */
export function serviceAccount(namespace: string, name: string, pod?: string): Caller {
  return {
    ...ANONYMOUS,
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts"],
    namespace,
    pod: pod === undefined ? undefined : { name: pod, uid: `uid-${pod}` },
  };
}

/**
 * The webhook and watcher operations over an SQLite :memory: store and a cluster without Jobs:
 * what the service decides, with no transport and no apiserver. Payloads are judged by
 * `checkPayload` (default: all pass).
 */
export function testService(
  auth: Auth,
  podJobs: Record<string, string> = {},
  checkPayload: CheckPayload = () => [],
): Pick<Operations<Caller>, "webhooks" | "watchers"> & { store: Store } {
  const store = SqliteStore.open({ kind: "sqlite", path: ":memory:" });
  const engine = new WatcherEngine({
    store,
    jobs: {
      answering: true,
      findByName: () => undefined,
      find: () => Promise.reject(new Error("this test has no apiserver")),
    },
    log: createLogger("silent", "test"),
    defaultDeliveryTimeoutMs: 60_000,
    jobWaitMs: 60_000,
  });
  const redeliveries = new Redeliveries({
    store,
    events: engine.events,
    defaultDeliveryTimeoutMs: 60_000,
  });
  return {
    store,
    webhooks: webhookOperations(
      new Webhooks(store.webhooks, checkPayload, (url) => testPolicy.urlProblem(url)),
      auth,
      redeliveries,
    ),
    watchers: watcherOperations(engine, auth, {
      defaultNamespace: "fallback",
      redeliveries,
      deliveryLog: store.deliveryLog,
      podJobs: { jobOf: (caller) => Promise.resolve(podJobs[caller.pod?.name ?? ""] ?? "") },
    }),
  };
}
