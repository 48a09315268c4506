import type { Command } from "commander";
import { DEFAULT_DENY } from "../controlplane/egress/EgressPolicy.js";
import { LOG_LEVELS } from "../common/logger.js";
import { boolFlag } from "./boolFlag.js";
import { flag } from "./flag.js";
import { SHARED_DEFAULTS } from "./sharedDefaults.js";
import type { InjectorOptions } from "./injectorOptions.js";
import type { PodCounterCliOptions } from "./podCounterOptions.js";

/** Defaults from DESIGN.md "Shape", in one place. */
export const DEFAULTS = {
  healthListen: ":9091",
  logLevel: SHARED_DEFAULTS.logLevel,
  grpcListen: ":9090",
  store: "sqlite:jobhooks.db",
  storePoolSize: "10",
  defaultNamespace: "default",
  jobWait: "10m",
  deliveryTimeout: "1h",
  attemptTimeout: "10s",
  disableAfter: "72h",
  kubeRequestTimeout: "10s",
  maxConcurrentDeliveries: "64",
  maxDeliveriesPerDestination: "32",
  retryBase: "1s",
  retryMax: "5m",
  denyDestinations: DEFAULT_DENY.join(","),
  allowDestinations: "",
  shutdownGrace: "10s",
  deliveryRetention: "168h",
  jobEvents: true,
  secretsNamespace: process.env.POD_NAMESPACE ?? "jobhooks-system",
  auth: "tokenreview",
  tokenAudiences: "jobhooks",
  anonymousAuth: false,
  listen: ":8080",
  controlplane: SHARED_DEFAULTS.controlplane,
} as const;

export interface CommonOptions {
  healthListen: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(
      flag(
        "--health-listen <address>",
        "where /healthz and /readyz are served",
        DEFAULTS.healthListen,
      ),
    )
    .addOption(
      flag("--log-level <level>", "JSON log level on stdout", DEFAULTS.logLevel).choices(
        LOG_LEVELS,
      ),
    );
}

export function addKubeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      flag(
        "--kubeconfig <path>",
        "kubeconfig file; otherwise KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount",
      ),
    )
    .addOption(
      flag("--context <name>", "kubeconfig context to use (default: its current context)"),
    );
}

export interface ControlplaneOptions extends InjectorOptions, PodCounterCliOptions {
  auth: "tokenreview" | "none";
  tokenAudiences: string;
  anonymousAuth: boolean;
  grpcListen: string;
  store: string;
  storePoolSize: string;
  namespaces?: string;
  defaultNamespace: string;
  jobFamilies?: string;
  jobWait: string;
  deliveryTimeout: string;
  attemptTimeout: string;
  disableAfter: string;
  kubeRequestTimeout: string;
  maxConcurrentDeliveries: string;
  maxDeliveriesPerDestination: string;
  retryBase: string;
  retryMax: string;
  denyDestinations: string;
  allowDestinations: string;
  shutdownGrace: string;
  deliveryRetention: string;
  jobEvents: boolean;
  secretsNamespace: string;
}

export function addControlplaneOptions(cmd: Command): Command {
  const d = DEFAULTS;
  return cmd
    .addOption(
      flag(
        "--auth <mode>",
        "tokenreview: callers send a bearer token the apiserver accepts (TokenReview) and RBAC allows (SubjectAccessReview); none: no checks, as k8s-job-webhooks",
        d.auth,
      ).choices(["tokenreview", "none"]),
    )
    .addOption(
      flag(
        "--token-audiences <list>",
        "comma-separated audiences a caller's token must carry (kubectl create token NAME --audience jobhooks)",
        d.tokenAudiences,
      ),
    )
    .addOption(
      boolFlag(
        "--anonymous-auth",
        "tokenreview: a caller without a token is system:anonymous (group system:unauthenticated) and RBAC decides, as in kube-apiserver; false: 401",
        d.anonymousAuth,
      ),
    )
    .addOption(flag("--grpc-listen <address>", "where the gRPC API is served", d.grpcListen))
    .addOption(
      flag(
        "--store <spec>",
        "sqlite:PATH (created if missing), sqlite::memory: (lost on exit), or postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=verify-full (several replicas may share one)",
        d.store,
      ),
    )
    .addOption(
      flag(
        "--store-pool-size <n>",
        "connections to a PostgreSQL --store each process keeps open at most",
        d.storePoolSize,
      ),
    )
    .addOption(flag("--namespaces <list>", "comma-separated namespaces to watch (default: all)"))
    .addOption(
      flag(
        "--default-namespace <name>",
        "namespace of watchers that name none",
        d.defaultNamespace,
      ),
    )
    .addOption(
      flag(
        "--job-families <file>",
        "k8s-job-webhooks job-family YAML: [{jobFamily, url, requestBody, description}]; a family is a CronJob name",
      ),
    )
    .addOption(
      flag(
        "--job-wait <duration>",
        "how long a watcher waits for a Job of its name to exist before it ends FAILED (JobNotFound)",
        d.jobWait,
      ),
    )
    .addOption(
      flag(
        "--delivery-timeout <duration>",
        "how long a delivery is retried when its trigger has timeoutSeconds 0; then TIMEOUT",
        d.deliveryTimeout,
      ),
    )
    .addOption(flag("--attempt-timeout <duration>", "limit of one HTTP attempt", d.attemptTimeout))
    .addOption(
      flag(
        "--disable-after <duration>",
        "a webhook failing this long without a success is disabled: its deliveries wait until it is enabled (0: never)",
        d.disableAfter,
      ),
    )
    .addOption(
      flag(
        "--kube-request-timeout <duration>",
        "limit of one apiserver call (a watch: until its response starts); a counter call then answers UNAVAILABLE",
        d.kubeRequestTimeout,
      ),
    )
    .addOption(
      flag(
        "--max-concurrent-deliveries <n>",
        "HTTP attempts in flight at once, over all webhooks",
        d.maxConcurrentDeliveries,
      ),
    )
    .addOption(
      flag(
        "--max-deliveries-per-destination <n>",
        "HTTP attempts in flight at once to one scheme://host:port, so a stalled receiver holds no more slots than this",
        d.maxDeliveriesPerDestination,
      ),
    )
    .addOption(
      flag(
        "--retry-base <duration>",
        "first retry delay; doubles per attempt with jitter (1s: about 1, 2, 4, 8 s ...)",
        d.retryBase,
      ),
    )
    .addOption(flag("--retry-max <duration>", "longest retry delay", d.retryMax))
    .addOption(
      flag(
        "--deny-destinations <cidrs>",
        "comma-separated CIDRs deliveries never connect to, checked on each resolved address (default: link-local, where cloud metadata services answer, and this host's loopback)",
        d.denyDestinations,
      ),
    )
    .addOption(
      flag(
        "--allow-destinations <cidrs>",
        "comma-separated CIDRs deliveries may connect to even when --deny-destinations lists them (e.g. 127.0.0.1/32 for a receiver beside the controlplane)",
        d.allowDestinations,
      ),
    )
    .addOption(
      flag(
        "--shutdown-grace <duration>",
        "after SIGTERM, how long in-flight deliveries and calls may finish",
        d.shutdownGrace,
      ),
    )
    .addOption(
      flag(
        "--delivery-retention <duration>",
        "how long the attempt log and ended deliveries' messages are kept, then pruned (168h: 7 days; 0: pruned at once, no log kept)",
        d.deliveryRetention,
      ),
    )
    .addOption(
      boolFlag(
        "--job-events",
        "a Kubernetes Event on the Job for each delivery attempt (kubectl describe job); false: none",
        d.jobEvents,
      ),
    )
    .addOption(
      flag(
        "--secrets-namespace <name>",
        "where ClusterWebhooks' signing Secrets are read (default: the pod's namespace, $POD_NAMESPACE)",
        d.secretsNamespace,
      ),
    );
}

export interface GatewayOptions {
  listen: string;
  controlplane?: string;
}

/** The gateway's flags; `withControlplane` adds --controlplane (not for `all`, which has its own). */
export function addGatewayOptions(cmd: Command, withControlplane: boolean): Command {
  cmd.addOption(flag("--listen <address>", "where the REST API is served", DEFAULTS.listen));
  if (withControlplane) {
    cmd.addOption(
      flag("--controlplane <host:port>", "the controlplane's gRPC address", DEFAULTS.controlplane),
    );
  }
  return cmd;
}
