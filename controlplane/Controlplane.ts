import * as k8s from "@kubernetes/client-node";
import { HealthState } from "nice-grpc-server-health";
import type { HealthServer } from "../common/HealthServer.js";
import { KubeApi } from "../common/kubeApi.js";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { Part } from "../common/runGroup.js";
import { Waker } from "../common/Waker.js";
import type { BackoffPolicy } from "../common/backoff.js";
import { Dispatcher } from "./dispatcher/Dispatcher.js";
import type { ControlplaneClients } from "../client/connect.js";
import { GrpcServer } from "./grpc/GrpcServer.js";
import { inProcessClients, type Services } from "./grpc/inProcessClients.js";
import { podCounterService } from "./grpc/PodCounterServiceImpl.js";
import { PodCounter, type PodCounterOptions } from "./podcounter/PodCounter.js";
import { watcherService } from "./grpc/WatcherServiceImpl.js";
import { webhookService } from "./grpc/WebhookServiceImpl.js";
import { JobWatch } from "./jobwatch/JobWatch.js";
import { JobLabeller } from "./labeller/JobLabeller.js";
import type { Auth } from "./auth/Caller.js";
import { NoAuth } from "./auth/NoAuth.js";
import { PodJobs } from "./auth/PodJobs.js";
import { TokenReviewAuth } from "./auth/TokenReviewAuth.js";
import { createInjector, type InjectorConfig } from "./injector/createInjector.js";
import { ControlplaneMetrics } from "./metrics.js";
import { Store } from "./store/Store.js";
import { outageReason, type StoreHealth } from "./store/StoreHealth.js";
import { StoreWatchdog } from "./store/StoreWatchdog.js";
import { runStoreLoop } from "./store/runStoreLoop.js";
import type { StoreSpec } from "./store/storeSpec.js";
import { ensureJobFamily, loadJobFamilies } from "./watchers/jobFamilies.js";
import { FINAL_WATCHER_STATUSES } from "./watchers/model.js";
import { WatcherEngine } from "./watchers/WatcherEngine.js";
import { Webhooks } from "./watchers/Webhooks.js";

export interface ControlplaneConfig {
  kubeConfig: k8s.KubeConfig;
  store: StoreSpec;
  grpcListen: ListenAddress;
  namespaces: string[] | undefined;
  defaultNamespace: string;
  jobFamiliesFile: string | undefined;
  jobWaitMs: number;
  deliveryTimeoutMs: number;
  attemptTimeoutMs: number;
  maxConcurrentDeliveries: number;
  /** Of those, at most this many to one destination (scheme://host:port). */
  maxDeliveriesPerDestination: number;
  retry: BackoffPolicy;
  shutdownGraceMs: number;
  /** "tokenreview": callers bring a bearer token the apiserver vouches for; "none": anyone. */
  auth: "tokenreview" | "none";
  /** Audiences a caller's token must carry (tokenreview). */
  tokenAudiences: string[];
  /** tokenreview: a caller without a token is system:anonymous and RBAC decides; else 401. */
  anonymousAuth: boolean;
  podCounter: Omit<PodCounterOptions, "log" | "onPatch" | "onOperation">;
  /** The sidecar injector; undefined when no certificate is configured. */
  injector: InjectorConfig | undefined;
  log: Logger;
}

export interface Controlplane {
  parts: Part[];
  engine: WatcherEngine;
  /** The services for a gateway in this process. */
  clients: ControlplaneClients;
  /** Closes the store; call after the parts have stopped. */
  close(): void;
}

/**
 * Assembles the controlplane: store, Job watch, watcher engine, dispatcher, labeller and gRPC
 * server, and hooks its readiness and metrics into the process's health server.
 */
export async function createControlplane(
  c: ControlplaneConfig,
  health: HealthServer,
): Promise<Controlplane> {
  const api = await KubeApi.create(c.kubeConfig);
  const version = api.client(k8s.VersionApi);
  health.addReadinessCheck("kube-apiserver", async () => {
    await version.getCode();
    // Back after an outage: the Job watch need not wait out a backoff that grew meanwhile.
    jobWatch.apiserverAnswered();
    return true;
  });
  const store = Store.open(c.store);
  const metrics = new ControlplaneMetrics(() => store.deliveries.count());
  const jobWatch = new JobWatch(c.kubeConfig, {
    ...(c.namespaces && { namespaces: c.namespaces }),
    log: c.log.child({ part: "jobwatch" }),
    onRestart: () => metrics.watchRestarts.inc(),
    handler: {
      // The engine needs the watch's cache and the watch needs the engine: the handler reaches
      // the engine, declared below, only once run() starts.
      upsert: (job) => engine.upsert(job),
      remove: (job) => engine.remove(job),
      synced: (jobs) => engine.synced(jobs),
    },
  });
  const engine: WatcherEngine = new WatcherEngine({
    store,
    jobs: jobWatch,
    log: c.log.child({ part: "watchers" }),
    defaultDeliveryTimeoutMs: c.deliveryTimeoutMs,
    jobWaitMs: c.jobWaitMs,
    ...(c.namespaces && { namespaces: c.namespaces }),
  });
  const labeller = new JobLabeller(api, store, c.log.child({ part: "labeller" }), c.retry);
  const dispatcher = new Dispatcher({
    store,
    log: c.log.child({ part: "dispatcher" }),
    metrics,
    concurrency: c.maxConcurrentDeliveries,
    perDestination: c.maxDeliveriesPerDestination,
    attemptTimeoutMs: c.attemptTimeoutMs,
    backoff: c.retry,
    shutdownGraceMs: c.shutdownGraceMs,
    onProgress: (w) => {
      engine.deliverySettled(w);
      if (FINAL_WATCHER_STATUSES.has(w.status)) labeller.kick();
    },
  });
  engine.events.onDeliveriesQueued(() => dispatcher.kick());
  engine.events.onEnded((id) => {
    dispatcher.abortWatcher(id);
    labeller.kick();
  });
  for (const entry of c.jobFamiliesFile ? loadJobFamilies(c.jobFamiliesFile) : []) {
    ensureJobFamily(store, entry, new Date());
  }

  const grpcHealth = HealthState();
  // SERVING while the Job watch is current (listed since its last failure, watching) and the
  // store can write.
  const updateGrpcHealth = (): void =>
    grpcHealth.setStatus(jobWatch.current && !store.health.failure ? "healthy" : "unhealthy");
  updateGrpcHealth();
  jobWatch.onCurrentChange(updateGrpcHealth);
  health.addReadinessCheck("job-watch", () => Promise.resolve(jobWatch.readiness()));
  const watchdog = new StoreWatchdog(store, c.log.child({ part: "store" }));
  store.health.onFailed(updateGrpcHealth);
  store.health.onRecovered(() => {
    updateGrpcHealth();
    jobWatch.resync();
    dispatcher.kick();
    labeller.kick();
  });
  health.addReadinessCheck("store", () => Promise.resolve(storeReadiness(store)));
  health.setMetrics(metrics.registry);

  const timeouts = new WatcherTimeouts(engine, store.health, c.log.child({ part: "timeouts" }));
  const auth: Auth =
    c.auth === "none"
      ? new NoAuth()
      : new TokenReviewAuth(api, { audiences: c.tokenAudiences, anonymous: c.anonymousAuth });
  if (c.auth === "none") {
    c.log.warn(
      "--auth=none: every caller may create and read webhooks and watchers in every namespace; use it only where the network is trusted",
    );
  }
  const services: Services = {
    webhooks: webhookService(new Webhooks(store.webhooks), auth),
    watchers: watcherService(engine, auth, {
      defaultNamespace: c.defaultNamespace,
      podJobs: new PodJobs(api),
    }),
    podCounter: podCounterService(
      new PodCounter(api, {
        ...c.podCounter,
        log: c.log.child({ part: "podcounter" }),
        onPatch: () => metrics.podCounterWrites.inc(),
        onOperation: (delta) =>
          metrics.podCounterOps.inc({
            operation: delta > 0 ? "increment" : delta < 0 ? "decrement" : "get",
          }),
      }),
      { auth, defaultNamespace: c.defaultNamespace, namespaces: c.namespaces },
    ),
  };
  const grpc = new GrpcServer({
    address: c.grpcListen,
    services,
    auth,
    log: c.log.child({ part: "grpc" }),
    health: grpcHealth,
    shutdownGraceMs: c.shutdownGraceMs,
  });
  const injector = c.injector
    ? await createInjector(c.injector, {
        api,
        kubeConfig: c.kubeConfig,
        log: c.log.child({ part: "injector" }),
        metrics,
      })
    : [];
  return {
    parts: [watchdog, jobWatch, dispatcher, labeller, timeouts, grpc, ...injector],
    engine,
    clients: inProcessClients(services, auth, c.log.child({ part: "in-process" })),
    close: () => {
      store.close();
      api.close();
    },
  };
}

// Ready while the store writes: a failure seen by any write, or by a probe write now.
function storeReadiness(store: Store): true | string {
  const seen = store.health.failure;
  if (!seen) {
    try {
      store.probe(new Date());
      return true;
    } catch (err) {
      return `cannot write: ${outageReason(err) ?? String(err)}`;
    }
  }
  return `cannot write since ${seen.since.toISOString()}: ${seen.reason}`;
}

// Ends watchers at their deadline: sleeps until the earliest one, or until a new one is added.
class WatcherTimeouts implements Part {
  readonly name = "watcher-timeouts";
  private readonly waker = new Waker();
  private nextLook = 0;

  constructor(
    private readonly engine: WatcherEngine,
    private readonly health: StoreHealth,
    private readonly log: Logger,
  ) {
    // Most watchers expire minutes out; wake only for one due before the loop looks anyway.
    engine.events.onExpiryAdded((at) => {
      if (at.getTime() < this.nextLook) this.waker.wake();
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runStoreLoop(
      {
        health: this.health,
        log: this.log,
        waker: this.waker,
        turn: () => {
          const next = this.engine.expire();
          const wait = Math.min(next ? Math.max(0, next.getTime() - Date.now()) : 60_000, 60_000);
          this.nextLook = Date.now() + wait;
          return wait;
        },
      },
      signal,
    );
  }
}
