import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The controlplane's Prometheus metrics, served at /metrics on --health-listen. */
export class ControlplaneMetrics {
  readonly registry = new Registry();

  readonly deliveries = new Counter({
    name: "jobhooks_deliveries_total",
    help: "Webhook delivery attempts by outcome: delivered, retry, rejected, timeout, aborted.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly deliveryLatency = new Histogram({
    name: "jobhooks_delivery_latency_seconds",
    help: "From the outbox row being written to the webhook answering 2xx, retries included.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  readonly attemptDuration = new Histogram({
    name: "jobhooks_delivery_attempt_duration_seconds",
    help: "One HTTP attempt, from sending to the response (or error).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly webhookAttempts = new Counter({
    name: "jobhooks_webhook_attempts_total",
    help: "Delivery attempts per webhook (its id) by class: ok (a 2xx), or the error class of the attempt log (http, timeout, refused, tls, dns, egress_denied, network, secret, deadline).",
    labelNames: ["webhook", "class"] as const,
    registers: [this.registry],
  });

  readonly webhookAttemptSeconds = new Counter({
    name: "jobhooks_webhook_attempt_seconds_total",
    help: "Time spent in delivery attempts per webhook (its id); divided by jobhooks_webhook_attempts_total, the mean attempt's duration.",
    labelNames: ["webhook"] as const,
    registers: [this.registry],
  });

  readonly deliveryLogPruned = new Counter({
    name: "jobhooks_delivery_log_pruned_total",
    help: "Rows of the delivery log (attempts, ended deliveries' messages) deleted after --delivery-retention.",
    registers: [this.registry],
  });

  readonly watchRestarts = new Counter({
    name: "jobhooks_job_watch_restarts_total",
    help: "Times the Job watch was restarted after an error or a 410 Gone.",
    registers: [this.registry],
  });

  readonly podCounterOps = new Counter({
    name: "jobhooks_pod_counter_operations_total",
    help: "Pod counter calls by operation: increment, decrement, get, acquire (an increment with a ttl), renew, release, force-release.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });

  readonly podCounterWrites = new Counter({
    name: "jobhooks_pod_counter_writes_total",
    help: "Label patches sent to the apiserver; concurrent calls on one pod share one.",
    registers: [this.registry],
  });

  readonly busyPods = new Gauge({
    name: "jobhooks_busy_pods",
    help: "Pods whose busy count is above 0, as this replica last saw them (its writes, and a list every 10 s).",
    registers: [this.registry],
  });

  readonly leasesOutstanding = new Gauge({
    name: "jobhooks_leases_outstanding",
    help: "Leases held on those pods.",
    registers: [this.registry],
  });

  readonly leasesExpired = new Counter({
    name: "jobhooks_leases_expired_total",
    help: "Leases this replica ended because they were not renewed in time.",
    registers: [this.registry],
  });

  readonly protectionsDropped = new Counter({
    name: "jobhooks_pod_protections_dropped_total",
    help: "Busy pods whose protection --max-busy dropped (a Warning Event ProtectionDropped on each).",
    registers: [this.registry],
  });

  readonly admissions = new Counter({
    name: "jobhooks_injector_admissions_total",
    help: "Admission reviews answered, by outcome: injected, already-injected, not-asked, not-a-pod-create.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly admissionDuration = new Histogram({
    name: "jobhooks_injector_admission_duration_seconds",
    help: "From an admission review's request to its answer, body read included.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  readonly caBundleCurrent = new Gauge({
    name: "jobhooks_injector_ca_bundle_current",
    help: "--self-signed: 1 while the webhook configuration trusts this controlplane's CA, else 0.",
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: "jobhooks_leader",
    help: "1 while this replica leads: it alone handles Job events, deliveries, labels and timeouts when replicas share a PostgreSQL store. Always 1 on SQLite.",
    registers: [this.registry],
  });

  readonly jobEvents = new Counter({
    name: "jobhooks_job_events_total",
    help: "Kubernetes Events about deliveries, on their Jobs, by result: sent, failed (the apiserver refused or did not answer), dropped (more were waiting than the queue holds).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly webhooksDisabled = new Counter({
    name: "jobhooks_webhook_disablings_total",
    help: "Webhooks disabled after failing without a success for --disable-after.",
    registers: [this.registry],
  });

  readonly queueDepth: Gauge;
  readonly disabledWebhooks: Gauge;

  /**
   * `queueDepth` and `disabled` (webhooks) are read at each scrape; while the store cannot
   * answer, the last value stays.
   */
  constructor(queueDepth: () => Promise<number>, disabled?: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry });
    this.queueDepth = new Gauge({
      name: "jobhooks_delivery_queue_depth",
      help: "Deliveries in the outbox: due, waiting for a retry, or in flight.",
      registers: [this.registry],
      async collect() {
        try {
          this.set(await queueDepth());
        } catch {
          // the store is failing: readiness and the store's own log say so
        }
      },
    });
    this.disabledWebhooks = new Gauge({
      name: "jobhooks_webhooks_disabled",
      help: "Webhooks disabled now (failing for --disable-after; enabled again through the API).",
      registers: [this.registry],
      async collect() {
        try {
          if (disabled) this.set(await disabled());
        } catch {
          // as above
        }
      },
    });
  }
}
