/** The controlplane's own shapes; those the API speaks of are in contract/model.ts. */
export {
  FINAL_WATCHER_STATUSES,
  Outcome,
  Reason,
  TriggerStatus,
  WatcherStatus,
  type Trigger,
  type Watcher,
  type WatcherFilter,
  type WatcherSpec,
} from "../../contract/model.js";

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
