import type {
  CounterDelta,
  CounterRequest,
  CounterValue,
  LeaseRequest,
  DeliveryAttempt,
  Page,
  PageRequest,
  Recovery,
  SecretRotation,
  Watcher,
  WatcherFilter,
  WatcherRequest,
  WebhookInput,
  WebhookView,
} from "./model.js";

/**
 * jobhooks' operations, one per use case. `Ctx` is who calls: the controlplane's service layer
 * takes the authenticated Caller; a client (the gateway, the sidecar) passes CallOptions, whose
 * credentials the controlplane checks. Errors are ApiErrors (contract/errors.ts).
 */
export interface WebhookOperations<Ctx> {
  create(ctx: Ctx, input: WebhookInput): Promise<WebhookView>;
  get(ctx: Ctx, id: string): Promise<WebhookView>;
  /** Oldest first. */
  list(ctx: Ctx, page: PageRequest): Promise<Page<WebhookView>>;
  /** Refused (WebhookInUseError) while a watcher that has not ended names it. */
  delete(ctx: Ctx, id: string): Promise<void>;
  /**
   * Sends again every delivery to the webhook that ended without reaching it at or after `since`
   * (a time in the past) and is not being delivered: the latest message of each trigger not
   * CALLED, webhook-id and all.
   */
  recover(ctx: Ctx, id: string, since: Date): Promise<Recovery>;
  /**
   * Enables a webhook disabled for failing too long: its waiting deliveries go out. A webhook
   * that is not disabled is answered unchanged.
   */
  enable(ctx: Ctx, id: string): Promise<WebhookView>;
  /**
   * A new signing secret; the current one signs beside it for the overlap. Refused
   * (WebhookMirroredError) for a webhook mirrored from an object: rotate its Secret.
   */
  rotateSecret(ctx: Ctx, id: string, rotation: SecretRotation): Promise<WebhookView>;
}

export interface WatcherOperations<Ctx> {
  /** With an idempotency key, a repeat of the same request answers the watcher made first. */
  create(ctx: Ctx, request: WatcherRequest, idempotencyKey?: string): Promise<Watcher>;
  get(ctx: Ctx, id: string): Promise<Watcher>;
  /** Oldest first. */
  list(ctx: Ctx, filter: WatcherFilter, page: PageRequest): Promise<Page<Watcher>>;
  cancel(ctx: Ctx, id: string): Promise<Watcher>;
  /**
   * Sends an ended trigger's message again (the same webhook-id and body, to its webhook as it is
   * now); its attempts then count on the trigger, which takes their final status, and the
   * watcher stays as it is. Refused (PreconditionError) while the trigger's delivery is in
   * progress, when no message of it is kept, or when its webhook was deleted.
   */
  redeliver(ctx: Ctx, id: string, triggerId: string): Promise<Watcher>;
  /** The watcher now, then after each change, until it is final or `signal` aborts. */
  watch(ctx: Ctx, id: string, signal: AbortSignal): AsyncIterable<Watcher>;
  /** The watcher's delivery attempts, oldest first (the attempt log, kept for --delivery-retention). */
  deliveries(ctx: Ctx, id: string, page: PageRequest): Promise<Page<DeliveryAttempt>>;
}

export interface CounterOperations<Ctx> {
  /**
   * Adds `delta` to the pod's counter (0 reads it) and answers the new value; an increment with
   * `ttlSeconds` is a lease, answered with it.
   */
  count(ctx: Ctx, request: CounterRequest, delta: CounterDelta): Promise<CounterValue>;
  /** The lease now expires `ttlSeconds` from now; NotFoundError when it is no longer held. */
  renewLease(ctx: Ctx, request: LeaseRequest): Promise<CounterValue>;
  /** The lease ends and the count goes down by one; NotFoundError when it is no longer held. */
  releaseLease(ctx: Ctx, request: LeaseRequest): Promise<CounterValue>;
  /**
   * An operator's release of a busy pod: the count goes to 0 and every lease ends. Needs
   * `delete` on `podcounters.jobhooks.dev` in the pod's namespace, a pod's own token too.
   */
  forceRelease(ctx: Ctx, request: CounterRequest): Promise<CounterValue>;
}

export interface Operations<Ctx> {
  webhooks: WebhookOperations<Ctx>;
  watchers: WatcherOperations<Ctx>;
  podCounter: CounterOperations<Ctx>;
}

/** How a client calls: with the caller's credentials, passed on as they came. */
export interface CallOptions {
  /** The Authorization header's value (e.g. "Bearer …"), if any. */
  authorization?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * The call may be repeated when the controlplane is briefly unavailable. Reads always may; a
   * write only when it carries what makes a repeat harmless (an idempotency key, a requestId).
   */
  retry?: boolean | undefined;
}

/** The API as a client holds it: in the controlplane's process (`jobhooks all`) or over gRPC. */
export interface JobhooksApi extends Operations<CallOptions> {
  /** true while the controlplane serves (its gRPC health is SERVING); else why not. */
  ready(): Promise<true | string>;
  close(): void;
}
