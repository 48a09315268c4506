/**
 * What jobhooks' API speaks of, independent of gRPC, REST and SQL: the shapes every transport
 * translates to and from. Statuses keep the seed's names.
 */

export const WatcherStatus = {
  PENDING: "PENDING",
  PROCESSING: "PROCESSING",
  COMPLETED: "COMPLETED",
  PARTIALLY_COMPLETED: "PARTIALLY_COMPLETED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
  TIMEOUT: "TIMEOUT",
} as const;
export type WatcherStatus = (typeof WatcherStatus)[keyof typeof WatcherStatus];

export const TriggerStatus = {
  NOT_CALLED: "NOT_CALLED",
  CALLED: "CALLED",
  FAILED: "FAILED",
  TIMEOUT: "TIMEOUT",
  CANCELLED: "CANCELLED",
} as const;
export type TriggerStatus = (typeof TriggerStatus)[keyof typeof TriggerStatus];

export const Outcome = { SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", DELETED: "DELETED" } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Why a watcher is where it is; stable strings clients may match on. */
export const Reason = {
  /** The Job's outcome was one of notify_on; webhooks were called (status says how it went). */
  JOB_FINISHED: "JobFinished",
  /** The Job failed and the watcher notifies only on success. */
  JOB_FAILED: "JobFailed",
  /** The Job succeeded and the watcher notifies only on failure. */
  JOB_SUCCEEDED: "JobSucceeded",
  /** The Job was deleted before it finished. */
  JOB_DELETED: "JobDeleted",
  /** No Job of that name appeared within the controlplane's --job-wait. */
  JOB_NOT_FOUND: "JobNotFound",
  /** The watcher's timeoutSeconds passed first. */
  WATCHER_TIMEOUT: "WatcherTimeout",
  CANCELLED: "Cancelled",
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const FINAL_WATCHER_STATUSES: ReadonlySet<WatcherStatus> = new Set([
  WatcherStatus.COMPLETED,
  WatcherStatus.PARTIALLY_COMPLETED,
  WatcherStatus.FAILED,
  WatcherStatus.CANCELLED,
  WatcherStatus.TIMEOUT,
]);

export type WebhookKind = "Webhook" | "ClusterWebhook";

/** A Kubernetes object (jobhooks.dev) a webhook mirrors; namespace "" for a ClusterWebhook. */
export interface WebhookSource {
  kind: WebhookKind;
  namespace: string;
  name: string;
}

export type CloudEventsMode = "Binary" | "Structured";

/** How a webhook's deliveries are shaped, beyond url and requestBody. */
export interface WebhookPayload {
  /** A Liquid template over the event, rendered as the body; exclusive with requestBody. */
  bodyTemplate?: string | undefined;
  /** Extra headers; each value a Liquid template. */
  headers?: Record<string, string> | undefined;
  /** Present: deliveries are CloudEvents 1.0 in this content mode. */
  cloudEvents?: { mode: CloudEventsMode } | undefined;
}

/**
 * A webhook as callers see it: its secret never leaves the controlplane, only whether it has one
 * (its own, or a Secret it names).
 */
export interface WebhookView extends WebhookPayload {
  id: string;
  url: string;
  /** Sent verbatim when set; otherwise the body is a JSON event. */
  requestBody: string | undefined;
  description: string;
  createdAt: Date;
  signed: boolean;
  /** The object it mirrors; absent for a webhook made through the API. */
  source?: WebhookSource | undefined;
  /** It mirrors an object: change or delete that with kubectl, not through the API. */
  readOnly: boolean;
  /** Disabled after failing too long (--disable-after): its deliveries wait until enabled. */
  disabled: boolean;
  /** When it was disabled. */
  disabledAt?: Date | undefined;
  /** Its first failed attempt since its last success; absent while its last one succeeded. */
  failingSince?: Date | undefined;
  /** After a rotation, when the previous secret stops signing beside the current one. */
  previousSecretExpiresAt?: Date | undefined;
}

/** A new signing secret for a webhook (rotateSecret). */
export interface SecretRotation {
  /** Standard Webhooks secret ("whsec_…"), as at create. */
  secret: string;
  /**
   * How long the current secret keeps signing beside the new one, up to 30 days; 0 drops it at
   * once. Absent: 86400 (24 hours).
   */
  previousExpiresInSeconds?: number | undefined;
}

/** A webhook to register. */
export interface WebhookInput extends WebhookPayload {
  url: string;
  /** Absent or empty: the JSON event (or bodyTemplate's rendering). */
  requestBody?: string | undefined;
  description?: string | undefined;
  /** Standard Webhooks secret ("whsec_…"); absent: unsigned. */
  secret?: string | undefined;
}

export interface Trigger {
  id: string;
  watcherId: string;
  webhookId: string;
  timeoutSeconds: number;
  status: TriggerStatus;
  /** Time of the latest attempt. */
  calledAt: Date | undefined;
  attempts: number;
  lastError: string;
}

export interface Watcher {
  id: string;
  namespace: string;
  jobName: string;
  /** Set instead of jobName: the watcher stands for every Job this CronJob owns. */
  cronJobName: string;
  /** For a watcher made for one Job of a CronJob watcher: that watcher. */
  parentId: string;
  timeoutSeconds: number;
  notifyOn: Outcome[];
  status: WatcherStatus;
  reason: string;
  message: string;
  jobUid: string;
  jobOutcome: Outcome | undefined;
  createdAt: Date;
  updatedAt: Date;
  triggers: Trigger[];
}

/**
 * A watcher to register, as a caller asks for it: what is left out takes its default (the
 * caller's namespace, else the controlplane's --default-namespace; notify on success; no
 * timeout).
 */
export interface WatcherRequest {
  namespace?: string | undefined;
  jobName?: string | undefined;
  cronJobName?: string | undefined;
  timeoutSeconds?: number | undefined;
  notifyOn?: Outcome[] | undefined;
  triggers?: TriggerRequest[] | undefined;
}

/**
 * A webhook for a watcher to call, named by exactly one of its id, a Webhook object in the
 * watcher's namespace, or a ClusterWebhook object. Names are resolved when the watcher is made:
 * its trigger carries the id.
 */
export interface TriggerRequest {
  webhookId?: string | undefined;
  webhookName?: string | undefined;
  clusterWebhookName?: string | undefined;
  timeoutSeconds?: number | undefined;
}

/** A watcher request with its defaults applied; what the store keeps. */
export interface WatcherSpec {
  namespace: string;
  jobName: string;
  cronJobName: string;
  timeoutSeconds: number;
  notifyOn: Outcome[];
  triggers: { webhookId: string; timeoutSeconds: number }[];
}

/** Which watchers a list returns; absent fields do not filter. */
export interface WatcherFilter {
  namespace?: string | undefined;
  jobName?: string | undefined;
  status?: WatcherStatus | undefined;
}

/** Where a list starts and how long a page may be. */
export interface PageRequest {
  /** Absent or 0: as many as a page holds (LIMITS.pageSize). */
  pageSize?: number | undefined;
  /** From the previous page; absent or empty: the first page. */
  pageToken?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Empty on the last page. */
  nextPageToken: string;
}

export * from "./counterModel.js";

/** What a webhook's recovery queued: how many deliveries go out again. */
export interface Recovery {
  queued: number;
}

/** Why a delivery attempt did not succeed; a 2xx has none. */
export const ErrorClass = {
  /** No answer within the attempt's limit (connect or response). */
  TIMEOUT: "timeout",
  /** The connection was refused, reset or closed by the receiver. */
  REFUSED: "refused",
  /** The TLS handshake failed: a certificate, or a server that does not speak TLS. */
  TLS: "tls",
  /** The host name did not resolve. */
  DNS: "dns",
  /** Every address of the host is in --deny-destinations: no connection was made. */
  EGRESS_DENIED: "egress_denied",
  /** Another failure before a response. */
  NETWORK: "network",
  /** The receiver answered a status other than 2xx. */
  HTTP: "http",
  /** The signing Secret could not be read: nothing was sent. */
  SECRET: "secret",
  /** The delivery's deadline had passed when it was due again: nothing was sent. */
  DEADLINE: "deadline",
} as const;
export type ErrorClass = (typeof ErrorClass)[keyof typeof ErrorClass];

/** What an attempt did to its delivery. */
export const AttemptOutcome = {
  RETRY: "retry",
  DELIVERED: "delivered",
  REJECTED: "rejected",
  TIMEOUT: "timeout",
} as const;
export type AttemptOutcome = (typeof AttemptOutcome)[keyof typeof AttemptOutcome];

/** One attempt of a delivery, as the attempt log keeps it. */
export interface DeliveryAttempt {
  /** The attempt's place in the log: larger for later attempts. */
  id: string;
  /** The delivery's id: its webhook-id header. */
  deliveryId: string;
  triggerId: string;
  watcherId: string;
  webhookId: string;
  startedAt: Date;
  durationMs: number;
  /** The URL's host (with its port when not the scheme's default). */
  host: string;
  /** The response's status; absent when none arrived. */
  statusCode: number | undefined;
  /** Absent for a 2xx. */
  errorClass: ErrorClass | undefined;
  /** What went wrong, for people; empty for a 2xx. */
  error: string;
  /** The response body's first 1 KiB as text, whatever the status. */
  responseBody: string;
  /** A few response headers (content-type, retry-after, ...), their values cut short. */
  responseHeaders: Record<string, string>;
  outcome: AttemptOutcome;
  /** For a retry: when the next attempt is due. */
  nextAttemptAt: Date | undefined;
  /** The delivery was a redelivery asked for through the API. */
  redelivery: boolean;
}
