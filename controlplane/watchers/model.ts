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
  type WebhookKind,
  type WebhookSource,
} from "../../contract/model.js";
import type { CloudEventsMode, WebhookSource } from "../../contract/model.js";

export interface Webhook {
  id: string;
  url: string;
  /** Sent verbatim when set; otherwise the body is a JSON event. */
  requestBody: string | undefined;
  description: string;
  /** Standard Webhooks secret; never leaves the controlplane. */
  secret: string | undefined;
  createdAt: Date;
  /** The Webhook or ClusterWebhook object it mirrors; undefined: made through the API. */
  source?: WebhookSource;
  /** How its deliveries are shaped and signed, beyond url and requestBody. */
  options?: WebhookOptions;
  /** Its first failed attempt since its last success; undefined: its last attempt succeeded. */
  failingSince?: Date;
  /** Disabled after failing for --disable-after: its deliveries wait until it is enabled. */
  disabledAt?: Date;
  /** The secret a rotation replaced, still signing (beside `secret`) until `expiresAt`. */
  previousSecret?: { secret: string; expiresAt: Date };
}

/** Where a signing secret is read, at each attempt. */
export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

export interface WebhookOptions {
  /** A Liquid template over the event; rendered when the delivery is written. */
  bodyTemplate?: string;
  /** Extra headers; each value a Liquid template. */
  headers?: Record<string, string>;
  /** Present: deliveries are CloudEvents 1.0 in this content mode. */
  cloudEvents?: { mode: CloudEventsMode };
  /** The signing secret is this Secret's key (instead of `secret`). */
  secretRef?: SecretRef;
  /** A ClusterWebhook's namespaces whose Jobs may use it; absent: all. */
  namespaces?: string[];
  /** Bound of deliveries to it from annotated Jobs; 0 or absent: the controlplane's default. */
  timeoutSeconds?: number;
}

/**
 * The next_attempt_at of a parked outbox row, one whose webhook is disabled: the latest time a
 * Date holds, so the outbox's due queries never hand it out and need not know about parking.
 * Enabling the webhook makes its parked rows due.
 */
export const PARKED_MS = 8.64e15;

/** One webhook call owed: a row of the outbox. */
export interface Delivery {
  /** The webhook-id header: stable across retries and restarts. */
  id: string;
  triggerId: string;
  watcherId: string;
  /** The webhook its trigger names. */
  webhookId: string;
  url: string;
  /** scheme://host:port of the url: deliveries share the slots fairly by destination. */
  destination: string;
  body: string;
  contentType: string;
  secret: string | undefined;
  /** During a rotation's overlap, the previous secret: it signs too until `expiresAt`. */
  previousSecret?: { secret: string; expiresAt: Date };
  /** Read at each attempt instead of `secret`. */
  secretRef?: SecretRef;
  /** Headers beyond content-type and Standard Webhooks' (templated ones, CloudEvents'). */
  headers?: Record<string, string>;
  deadlineAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  /** When the outbox row was written. */
  createdAt: Date;
  /** Sent again on request (an ended trigger's message): it settles the trigger, not the watcher. */
  redelivery?: boolean;
}
