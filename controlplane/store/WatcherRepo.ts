import type { DeliveryAttempt } from "../../contract/model.js";
import type {
  Delivery,
  Outcome,
  TriggerStatus,
  Watcher,
  WatcherFilter,
  WatcherStatus,
} from "../watchers/model.js";
import type { Cursor } from "./keyset.js";

export type { WatcherFilter } from "../watchers/model.js";

/** Another request already used the idempotency key. */
export class IdempotencyConflictError extends Error {}

/** A new watcher's trigger names a webhook that does not exist, or was deleted meanwhile. */
export class UnknownWebhookError extends Error {
  constructor(readonly webhookIds: string[]) {
    super(`no webhook ${webhookIds.join(", ")}`);
    this.name = "UnknownWebhookError";
  }
}

/** A watcher to insert, as it starts, with what only the store keeps of it. */
export interface NewWatcher {
  watcher: Watcher;
  /** A PENDING watcher ends TIMEOUT at this time. */
  deadlineAt: Date | undefined;
  /** An unbound watcher ends JobNotFound at this time. */
  bindBy: Date | undefined;
  idempotencyKey?: string;
  /** Fingerprint of the request, to tell a repeat from a different request with the same key. */
  requestHash?: string;
  /**
   * The replica that made it could not look its Job up (a standby keeps no Job cache): the
   * replica that watches Jobs is asked to, by a bind request inserted with it (bindRequests).
   */
  askBind?: boolean;
}

/** A watcher whose Job the replica that watches Jobs should look up (NewWatcher.askBind). */
export interface BindRequest {
  watcherId: string;
  namespace: string;
  jobName: string;
}

/** How a watcher ends for good. */
export interface Ending {
  status: WatcherStatus;
  reason: string;
  message: string;
  outcome?: Outcome;
  /** What its NOT_CALLED triggers become. */
  triggerStatus: TriggerStatus;
}

/**
 * One change to a watcher. Each names the state it applies to (an unbound PENDING watcher, a
 * PENDING one, an open one); a watcher found in another state makes the whole set stale.
 */
export type WatcherChange =
  /** An unbound PENDING watcher is bound to its Job. */
  | { kind: "bind"; id: string; jobUid: string }
  /** A PENDING watcher's Job finished: it owes these deliveries (none: `status` is final). */
  | {
      kind: "notify";
      id: string;
      outcome: Outcome;
      status: WatcherStatus;
      deliveries: Delivery[];
    }
  /** An open watcher ends: its NOT_CALLED triggers take a final status, its outbox rows go. */
  | { kind: "end"; id: string; ending: Ending };

/** A Job owed the webhooks-called label. */
export interface JobRef {
  uid: string;
  namespace: string;
  name: string;
}

/** Everything one event does to watchers, written in one transaction. */
export interface WatcherChanges {
  /** Watchers to insert (a CronJob watcher's watchers for one Job). */
  spawn: NewWatcher[];
  changes: WatcherChange[];
  /** Jobs to queue for the label (no-op for one queued already). */
  labels: JobRef[];
  at: Date;
}

/** An attempt's result for a trigger, as its row keeps it. */
export interface AttemptRecord {
  status: TriggerStatus;
  attempts: number;
  lastError: string;
  calledAt: Date;
}

/** One row of the attempt log, as recording an attempt writes it (the store numbers it). */
export type AttemptLogEntry = Omit<DeliveryAttempt, "id">;

/** What one delivery attempt does, written in one transaction. */
export interface AttemptChanges {
  deliveryId: string;
  triggerId: string;
  watcherId: string;
  /** The trigger's new state; a NOT_CALLED record only counts the attempt. */
  record: AttemptRecord;
  /** Set: the outbox row stays and is due again then. Unset: the row is removed. */
  retryAt?: Date;
  /** The PROCESSING watcher's new status, when settling this trigger changes it. */
  watcherStatus?: WatcherStatus;
  label?: JobRef;
  /**
   * A redelivery's attempt (Delivery.redelivery): it adds one to the trigger's attempts, and a
   * final result sets the trigger's status whatever it was; the watcher is left as it is.
   */
  redelivery?: boolean;
  /** The attempt's row in the attempt log; absent: none is written. */
  log?: AttemptLogEntry;
  at: Date;
  /**
   * The attempt counts for its webhook's health: a CALLED record clears its failing_since, any
   * other starts it (the attempt's calledAt) unless set; a failure once failing_since is at least
   * `disableAfterMs` (0: never) before `at` disables the webhook (disabled_at = at) and parks its
   * outbox rows (PARKED_MS); a retry of a disabled webhook is parked too. A success does not
   * enable it: the API does. Absent: health is left alone.
   */
  health?: { webhookId: string; disableAfterMs: number };
}

/** What recordAttempt wrote. */
export interface AttemptRecorded {
  /** False, having written nothing: the delivery was gone. */
  recorded: boolean;
  /** This attempt disabled its webhook (AttemptChanges.health). */
  webhookDisabled: boolean;
}

/** Watchers, their triggers and their outbox rows: one aggregate, changed only as told. */
export interface WatcherRepo {
  /**
   * Inserts a watcher, or returns the one an earlier request with the same idempotency key
   * created; IdempotencyConflictError when that request was a different one. The webhooks its
   * triggers name are checked in the same transaction (UnknownWebhookError), so none can be
   * deleted between the check and the insert.
   */
  create(n: NewWatcher): Promise<{ watcher: Watcher; created: boolean }>;
  /**
   * Writes `c` in one transaction; false, having written nothing, when `c` is stale: a watcher
   * is no longer in the state a change names, or a spawned watcher's CronJob watcher already
   * has one for its Job (another replica got there first).
   */
  apply(c: WatcherChanges): Promise<boolean>;
  /**
   * Writes `c` in one transaction; nothing when its delivery is gone. A final result keeps the
   * delivery's message (`messages`, for RedeliveryRepo) as its row goes.
   */
  recordAttempt(c: AttemptChanges): Promise<AttemptRecorded>;
  /**
   * Writes each of `cs` as recordAttempt does, in order, in one transaction: all of them or
   * none. Many attempts that end together (a burst) cost one commit instead of one each.
   */
  recordAttempts(cs: readonly AttemptChanges[]): Promise<AttemptRecorded[]>;

  get(id: string): Promise<Watcher | undefined>;
  /** Up to `limit` watchers matching `filter` after `after`, oldest first. */
  list(filter: WatcherFilter, limit: number, after?: Cursor): Promise<Watcher[]>;
  /** Open watchers bound to the Job `uid`, and PENDING unbound ones naming it. */
  openForJob(namespace: string, name: string, uid: string): Promise<Watcher[]>;
  /** PENDING CronJob watchers for a CronJob; namespace '' ones match every namespace. */
  pendingFamilies(namespace: string, cronJobName: string): Promise<Watcher[]>;
  /** The ids of the watchers in `parentIds` that already have a watcher for the Job `uid`. */
  parentsWithChild(parentIds: readonly string[], uid: string): Promise<Set<string>>;
  /** Bound, still PENDING watchers: their Jobs should exist. */
  boundPending(): Promise<{ id: string; jobUid: string; namespace: string }[]>;
  /** Open watchers made by a CronJob watcher. */
  children(parentId: string): Promise<Watcher[]>;
  /** PENDING watchers past their timeout, and unbound ones past their wait for the Job. */
  expired(now: Date): Promise<{ timedOut: Watcher[]; notFound: Watcher[] }>;
  /** The earliest time expired() may find something. */
  nextExpiry(): Promise<Date | undefined>;
  /** Up to `limit` bind requests, oldest watcher first. */
  bindRequests(limit: number): Promise<BindRequest[]>;
  /** Takes the bind requests of these watchers off the list. */
  bindRequestsDone(watcherIds: readonly string[]): Promise<void>;
}
