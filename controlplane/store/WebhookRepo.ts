import type { Webhook } from "../watchers/model.js";
import type { Cursor } from "./keyset.js";

/** What deleting a webhook did. */
export type WebhookDeletion =
  | { kind: "deleted" }
  | { kind: "missing" }
  /** Open watchers still name it: the first of them (by age) and how many there are. */
  | { kind: "in-use"; watcherIds: string[]; count: number };

/** Webhooks; a deleted one stays as a tombstone for the triggers that name it. */
export interface WebhookRepo {
  insert(w: Webhook): Promise<void>;
  /** Inserts `w`, or brings its tombstone back with w's fields; a live webhook is left alone. */
  ensure(w: Webhook): Promise<void>;
  /** A webhook that is not deleted. */
  get(id: string): Promise<Webhook | undefined>;
  /** Up to `limit` webhooks that are not deleted, oldest first, after `after`. */
  list(limit: number, after?: Cursor): Promise<Webhook[]>;
  /**
   * Deletes the webhook unless an open watcher (PENDING, PROCESSING) names it; the check and the
   * change are one transaction, so no watcher can start naming it in between.
   */
  delete(id: string, now: Date): Promise<WebhookDeletion>;
}
