import type { Webhook } from "../watchers/model.js";
import type { Cursor } from "./keyset.js";

/** What deleting a webhook did. */
export type WebhookDeletion =
  | { kind: "deleted" }
  | { kind: "missing" }
  /** Open watchers still name it: the first of them (by age) and how many there are. */
  | { kind: "in-use"; watcherIds: string[]; count: number };

/** What enabling a webhook did. */
export interface WebhookEnabled {
  webhook: Webhook;
  /** It was disabled (false: enabling it changed nothing but a stray parked row). */
  wasDisabled: boolean;
}

/** Webhooks; a deleted one stays as a tombstone for the triggers that name it. */
export interface WebhookRepo {
  insert(w: Webhook): Promise<void>;
  /** Inserts `w`, or brings its tombstone back with w's fields; a live webhook is left alone. */
  ensure(w: Webhook): Promise<void>;
  /** A webhook that is not deleted; with `deleted`, also a tombstone (a mirrored one's spec). */
  get(id: string, deleted?: "with-deleted"): Promise<Webhook | undefined>;
  /**
   * A webhook mirrored from an object (`w.source` set): inserted, or its row (live or a tombstone)
   * takes w's url, description and options; its created_at stays.
   */
  put(w: Webhook): Promise<void>;
  /**
   * Tombstones a mirrored webhook whose object is gone, even while open watchers name it: they
   * still notify it with its last spec, which the tombstone keeps. False if none was live.
   */
  tombstone(id: string, now: Date): Promise<boolean>;
  /** The live mirrored webhooks: id and source, for a relist to find the ones gone. */
  mirrored(): Promise<Webhook[]>;
  /** How many of its triggers ended CALLED (delivered) and FAILED or TIMEOUT (failed). */
  outcomes(id: string): Promise<{ delivered: number; failed: number }>;
  /** Up to `limit` webhooks that are not deleted, oldest first, after `after`. */
  list(limit: number, after?: Cursor): Promise<Webhook[]>;
  /**
   * Deletes the webhook unless an open watcher (PENDING, PROCESSING) names it; the check and the
   * change are one transaction, so no watcher can start naming it in between.
   */
  delete(id: string, now: Date): Promise<WebhookDeletion>;
  /**
   * Enables a webhook, in one transaction: disabled_at and failing_since cleared, and its parked
   * outbox rows due at `now`, each with at least `minDeadlineMs` left before its deadline (it
   * did not run while parked). Undefined when no live webhook has the id.
   */
  enable(id: string, now: Date, minDeadlineMs: number): Promise<WebhookEnabled | undefined>;
  /**
   * Gives the webhook the signing secret `secret`, in one transaction. Its current secret (if any)
   * becomes the previous one, signing beside it until `previousExpiresAt` (undefined: dropped at
   * once; an older previous one is dropped either way). Its owed outbox rows that carry their
   * secret (not a Secret's) take both. Undefined when no live webhook has the id.
   */
  rotateSecret(
    id: string,
    secret: string,
    previousExpiresAt: Date | undefined,
  ): Promise<Webhook | undefined>;
  /** How many live webhooks are disabled. */
  disabledCount(): Promise<number>;
}
