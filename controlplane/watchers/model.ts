/** The domain of watchers, independent of gRPC and SQL. Statuses keep the seed's names. */

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

export interface Webhook {
  id: string;
  url: string;
  /** Sent verbatim when set; otherwise the body is a JSON event. */
  requestBody: string | undefined;
  description: string;
  /** Standard Webhooks secret; never leaves the controlplane. */
  secret: string | undefined;
  createdAt: Date;
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

/** What a client asks for; validated before it reaches the store. */
export interface WatcherSpec {
  namespace: string;
  jobName: string;
  cronJobName: string;
  timeoutSeconds: number;
  notifyOn: Outcome[];
  triggers: { webhookId: string; timeoutSeconds: number }[];
}

/** One webhook call owed: a row of the outbox. */
export interface Delivery {
  /** The webhook-id header: stable across retries and restarts. */
  id: string;
  triggerId: string;
  watcherId: string;
  url: string;
  /** scheme://host:port of the url: deliveries share the slots fairly by destination. */
  destination: string;
  body: string;
  contentType: string;
  secret: string | undefined;
  deadlineAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  /** When the outbox row was written. */
  createdAt: Date;
}
