import type { HealthServer } from "../common/HealthServer.js";

import type { Part } from "../common/runGroup.js";

import { DeliveryLogPruner } from "./dispatcher/DeliveryLogPruner.js";
import { Dispatcher } from "./dispatcher/Dispatcher.js";
import { Egress } from "./egress/Egress.js";
import type { ControlplaneConfig } from "./config.js";

import type { JobhooksApi } from "../contract/JobhooksApi.js";
import { createService } from "./api/createService.js";
import { inProcessApi } from "./api/inProcessApi.js";
import { GrpcServer } from "./grpc/GrpcServer.js";

import { KubeApi } from "./kube/KubeApi.js";
import { podCounterOf } from "./podcounter/podCounterOf.js";
import { FailedPods } from "./jobwatch/FailedPods.js";
import { JobWatch } from "./jobwatch/JobWatch.js";
import { JobLabeller } from "./labeller/JobLabeller.js";
import { jobEventsOf } from "./jobevents/jobEventsOf.js";
import { declarative } from "./declarative.js";
import { endpointHealth } from "./endpointHealth.js";
import { checkWebhookPayload } from "./payload/index.js";
import { servingState, storeReadiness } from "./servingState.js";
import type { Auth } from "./auth/Caller.js";
import { NoAuth } from "./auth/NoAuth.js";
import { PodJobs } from "./auth/PodJobs.js";
import { TokenReviewAuth } from "./auth/TokenReviewAuth.js";

import { ControlplaneMetrics } from "./metrics.js";
import { openStoreWithRetry } from "./store/openStoreWithRetry.js";
import { leadership, unaskedWork, whileLeading } from "./replicas/leadership.js";
import { SHARED_POLL_MS } from "./store/sharedPoll.js";
import { StoreWatchdog } from "./store/StoreWatchdog.js";

import { ensureJobFamily, loadJobFamilies } from "./watchers/jobFamilies.js";
import { FINAL_WATCHER_STATUSES } from "./watchers/model.js";
import { WatcherEngine } from "./watchers/WatcherEngine.js";
import { Redeliveries } from "./watchers/Redeliveries.js";
import { RequestedBindings } from "./watchers/RequestedBindings.js";
import { WatcherTimeouts } from "./watchers/WatcherTimeouts.js";
import { Webhooks } from "./watchers/Webhooks.js";

export type { ControlplaneConfig } from "./config.js";

export interface Controlplane {
  parts: Part[];
  engine: WatcherEngine;
  /** The API for a gateway in this process: the operations called directly, without gRPC. */
  api: JobhooksApi;
  /** Closes the store; call after the parts have stopped. */
  close(): Promise<void>;
}

/**
 * Assembles the controlplane: store, Job watch, watcher engine, dispatcher, labeller and gRPC
 * server, and hooks its readiness and metrics into the process's health server.
 */
export async function createControlplane(
  c: ControlplaneConfig,
  health: HealthServer,
): Promise<Controlplane> {
  // The process's one way to the apiserver: every part below that calls it is handed this one.
  const api = new KubeApi(c.kube, {
    ...(c.kubeRequestTimeoutMs !== undefined && { requestTimeoutMs: c.kubeRequestTimeoutMs }),
  });
  health.addReadinessCheck("kube-apiserver", async () => {
    await api.getJson("/version", {});
    // Back after an outage: the Job watch need not wait out a backoff that grew meanwhile.
    jobWatch.apiserverAnswered();
    return true;
  });
  const store = await openStoreWithRetry(c.store, c.log.child({ part: "store" }));
  const metrics = new ControlplaneMetrics(
    () => store.deliveries.count(),
    () => store.webhooks.disabledCount(),
  );
  const membership = leadership(store, c.log, metrics, () => jobWatch);
  const jobWatch: JobWatch = new JobWatch(api, {
    ...(c.namespaces && { namespaces: c.namespaces }),
    log: c.log.child({ part: "jobwatch" }),
    onRestart: () => metrics.watchRestarts.inc(),
    // The engine needs the watch's cache and the watch needs the engine: the handler reaches
    // the engine, declared below, only once run() starts.
    handler: whileLeading(() => jobs, membership),
  });
  const engine: WatcherEngine = new WatcherEngine({
    store,
    jobs: jobWatch,
    failedPods: (job) => failedPods.of(job),
    log: c.log.child({ part: "watchers" }),
    defaultDeliveryTimeoutMs: c.deliveryTimeoutMs,
    jobWaitMs: c.jobWaitMs,
    ...(c.namespaces && { namespaces: c.namespaces }),
  });
  const failedPods = new FailedPods(api, c.log.child({ part: "jobwatch" }));
  const labeller = new JobLabeller(api, store, c.log.child({ part: "labeller" }), c.retry);
  const jobEvents = jobEventsOf(c, {
    api,
    metrics,
    idle: () => dispatcher.idle,
    nameOf: (id) => objects.nameOf(id),
  });
  const egress = new Egress(c.egress);
  const checkUrl = (url: string): string | undefined => c.egress.urlProblem(url);
  const objects = declarative({
    api,
    store,
    log: c.log,
    secretsNamespace: c.secretsNamespace,
    namespaces: c.namespaces,
    checkPayload: checkWebhookPayload,
    checkUrl,
    warn: jobEvents.record,
  });
  const jobs = objects.jobs(engine);
  const endpoint = endpointHealth({ log: c.log, metrics, jobEvents: jobEvents.hook, objects });
  const dispatcher = new Dispatcher({
    store,
    log: c.log.child({ part: "dispatcher" }),
    metrics,
    concurrency: c.maxConcurrentDeliveries,
    perDestination: c.maxDeliveriesPerDestination,
    attemptTimeoutMs: c.attemptTimeoutMs,
    backoff: c.retry,
    egress,
    shutdownGraceMs: c.shutdownGraceMs,
    secretOf: objects.secretOf,
    attemptLog: c.attemptLog,
    onAttempt: (d, step, watcher) => {
      jobEvents.hook.onAttempt?.(d, step, watcher);
      objects.onAttempt(d, step, watcher);
    },
    disableAfterMs: c.disableAfterMs,
    onWebhookDisabled: endpoint.disabled,
    onProgress: (watcherId, status) => {
      engine.deliverySettled(watcherId);
      if (status && FINAL_WATCHER_STATUSES.has(status)) labeller.kick();
    },
  });
  engine.events.onDeliveriesQueued(() => dispatcher.kick());
  engine.events.onEnded((id) => {
    dispatcher.abortWatcher(id);
    labeller.kick();
  });
  for (const entry of c.jobFamiliesFile ? loadJobFamilies(c.jobFamiliesFile, checkUrl) : []) {
    await ensureJobFamily(store, entry, new Date());
  }

  const watchersLog = c.log.child({ part: "watchers" });
  const bindings = new RequestedBindings(engine, jobWatch, store, watchersLog);
  engine.events.onBindRequested(() => bindings.kick());

  const serving = servingState(health, store, jobWatch, membership);
  // A current watch: bindings are due, deliveries follow (their HTTP client is loaded soon, not
  // by the first one), and what the list left can be collected.
  jobWatch.onCurrentChange((current) => {
    if (!current) return;
    bindings.kick();
    egress.warm();
    c.workEnded?.();
  });
  const watchdog = new StoreWatchdog(store, c.log.child({ part: "store" }));
  store.health.onRecovered(() => {
    jobWatch.resync();
    dispatcher.kick();
    labeller.kick();
  });
  health.addReadinessCheck("store", () => storeReadiness(store));
  health.setMetrics(metrics.registry);

  const timeouts = new WatcherTimeouts(engine, store, c.log.child({ part: "timeouts" }));
  const pruner = new DeliveryLogPruner({
    store,
    log: c.log.child({ part: "delivery-log" }),
    retentionMs: c.deliveryRetentionMs,
    onPruned: (rows) => metrics.deliveryLogPruned.inc(rows),
  });
  const auth: Auth =
    c.auth === "none"
      ? new NoAuth()
      : new TokenReviewAuth(api, { audiences: c.tokenAudiences, anonymous: c.anonymousAuth });
  if (c.auth === "none") {
    c.log.warn(
      "--auth=none: every caller may create and read webhooks and watchers in every namespace; use it only where the network is trusted",
    );
  }
  const podCounter = podCounterOf(c.podCounter, {
    api,
    metrics,
    log: c.log,
    namespaces: c.namespaces,
  });
  const service = createService({
    webhooks: new Webhooks(store.webhooks, checkWebhookPayload, checkUrl, {
      minDeadlineMs: c.deliveryTimeoutMs,
      onEnabled: (w, wasDisabled) => {
        endpoint.enabled(w, wasDisabled);
        dispatcher.kick();
      },
    }),
    engine,
    redeliveries: new Redeliveries({
      store,
      events: engine.events,
      defaultDeliveryTimeoutMs: c.deliveryTimeoutMs,
    }),
    deliveryLog: store.deliveryLog,
    auth,
    podJobs: new PodJobs(api),
    defaultNamespace: c.defaultNamespace,
    namespaces: c.namespaces,
    ...(store.shared && { watchPollMs: SHARED_POLL_MS }),
    counter: podCounter.counter,
  });
  const grpc = new GrpcServer({
    address: c.grpcListen,
    service,
    auth,
    log: c.log.child({ part: "grpc" }),
    processLog: c.log,
    health: serving,
    shutdownGraceMs: c.shutdownGraceMs,
  });
  // Loaded only when asked for: its X.509 library costs memory a controlplane without it never uses.
  const injector = c.injector
    ? await (
        await import("./injector/createInjector.js")
      ).createInjector(c.injector, {
        api,
        log: c.log.child({ part: "injector" }),
        metrics,
      })
    : [];
  return {
    parts: [
      watchdog,
      ...unaskedWork(
        [
          ...[jobWatch, bindings, dispatcher, labeller, timeouts, pruner],
          ...jobEvents.parts,
          ...objects.parts,
        ],
        membership,
        c.log,
      ),
      grpc,
      ...podCounter.parts,
      ...injector,
    ],
    engine,
    api: inProcessApi(service, {
      auth,
      log: c.log.child({ part: "in-process" }),
      ready: serving.serving,
    }),
    close: async () => {
      await store.close();
      await egress.close();
      api.close();
    },
  };
}
