import type { BackoffPolicy } from "../common/backoff.js";
import type { EgressPolicy } from "./egress/EgressPolicy.js";
import type { InjectorConfig } from "./injector/createInjector.js";
import type { KubeAccess } from "./kube/KubeAccess.js";
import type { ListenAddress } from "../common/listenAddress.js";
import type { Logger } from "../common/logger.js";
import type { PodCounterConfig } from "./podcounter/podCounterOf.js";
import type { StoreSpec } from "./store/storeSpec.js";

/** What createControlplane assembles a controlplane from: flags and environment, parsed. */
export interface ControlplaneConfig {
  kube: KubeAccess;
  /** Bound of one ordinary apiserver call (KubeApi); default 10 s. */
  kubeRequestTimeoutMs?: number;
  store: StoreSpec;
  grpcListen: ListenAddress;
  namespaces: string[] | undefined;
  defaultNamespace: string;
  jobFamiliesFile: string | undefined;
  jobWaitMs: number;
  deliveryTimeoutMs: number;
  /** A webhook failing this long without a success is disabled (--disable-after; 0: never). */
  disableAfterMs?: number;
  attemptTimeoutMs: number;
  maxConcurrentDeliveries: number;
  /** Of those, at most this many to one destination (scheme://host:port). */
  maxDeliveriesPerDestination: number;
  retry: BackoffPolicy;
  /** Where deliveries may connect (--deny-destinations, --allow-destinations). */
  egress: EgressPolicy;
  shutdownGraceMs: number;
  /** --delivery-retention: how long attempts and ended deliveries' messages are kept. */
  deliveryRetentionMs: number;
  /** @internal false: no attempt log rows are written (the benchmark's comparison). */
  attemptLog?: boolean;
  /** A Kubernetes Event on the Job for each delivery attempt (JobEvents). */
  jobEvents: boolean;
  /** Where ClusterWebhooks' signing Secrets are read. */
  secretsNamespace: string;
  /** "tokenreview": callers bring a bearer token the apiserver vouches for; "none": anyone. */
  auth: "tokenreview" | "none";
  /** Audiences a caller's token must carry (tokenreview). */
  tokenAudiences: string[];
  /** tokenreview: a caller without a token is system:anonymous and RBAC decides; else 401. */
  anonymousAuth: boolean;
  /** The pod counter's rules; only pods its labelSelector selects may be counted. */
  podCounter: PodCounterConfig;
  /** The sidecar injector; undefined when no certificate is configured. */
  injector: InjectorConfig | undefined;
  log: Logger;
  /** Called when a burst of work has ended (the first Job list applied): memory may be collected. */
  workEnded?: () => void;
}
