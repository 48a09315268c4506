import { randomUUID } from "node:crypto";
import type { WebhookRepo } from "../store/WebhookRepo.js";
import {
  NotFoundError,
  ValidationError,
  WebhookInUseError,
  WebhookMirroredError,
  type FieldViolation,
} from "./errors.js";
import { listPage, type Page } from "./listPage.js";
import type { Webhook } from "./model.js";
import type { PageBounds } from "./takePage.js";
import {
  LIMITS,
  validateRotation,
  validateWebhook,
  type CheckUrl,
  type WebhookInput,
  type WebhookPayload,
} from "./validate.js";

/**
 * Judges a payload's templates and header names (a template that does not parse is refused
 * here, never at delivery). Its fields are named as a Webhook object's spec names them: body,
 * headers.NAME, cloudEvents.
 */
export type CheckPayload = (p: WebhookPayload) => FieldViolation[];

export interface WebhooksOptions {
  now?: () => Date;
  /**
   * An enabled webhook's waiting deliveries get at least this long before their deadline
   * (they did not run while it was disabled): the default delivery timeout. Default 1 hour.
   */
  minDeadlineMs?: number;
  /** A webhook was enabled (`wasDisabled`: it had been disabled): wake the dispatcher. */
  onEnabled?: (w: Webhook, wasDisabled: boolean) => void;
}

/** Registering, reading, deleting, enabling webhooks and rotating their secrets. */
export class Webhooks {
  private readonly now: () => Date;

  constructor(
    private readonly repo: WebhookRepo,
    private readonly checkPayload: CheckPayload,
    /** The egress policy's judgement of a URL whose host is an IP address (400 at `url`). */
    private readonly checkUrl: CheckUrl,
    private readonly o: WebhooksOptions = {},
  ) {
    this.now = o.now ?? ((): Date => new Date());
  }

  async create(input: WebhookInput): Promise<Webhook> {
    const { bodyTemplate, headers, cloudEvents, ...fields } = input;
    const payload: WebhookPayload = {
      ...(bodyTemplate !== undefined && { bodyTemplate }),
      ...(headers !== undefined && { headers }),
      ...(cloudEvents !== undefined && { cloudEvents }),
    };
    const violations = validateWebhook(input, this.checkUrl);
    // A payload whose shape is wrong (too long, too many headers) is not worth parsing.
    const shaped = !violations.some((v) => /^(bodyTemplate|headers|cloudEvents)\b/.test(v.field));
    if (shaped && Object.keys(payload).length > 0) {
      violations.push(
        ...this.checkPayload(payload).map((v) => ({ ...v, field: apiField(v.field) })),
      );
    }
    if (violations.length > 0) throw new ValidationError(violations);
    const webhook: Webhook = {
      id: randomUUID(),
      ...fields,
      createdAt: this.now(),
      ...(Object.keys(payload).length > 0 && { options: payload }),
    };
    await this.repo.insert(webhook);
    return webhook;
  }

  async get(id: string): Promise<Webhook> {
    const w = await this.repo.get(id);
    if (!w) throw new NotFoundError(`webhook ${id} not found`);
    return w;
  }

  /** A page of webhooks, oldest first. */
  list(bounds: PageBounds<Webhook>, pageToken: string): Promise<Page<Webhook>> {
    return listPage("webhooks", (after, limit) => this.repo.list(limit, after), {
      bounds,
      pageToken,
    });
  }

  /**
   * Deletes a webhook that no open watcher names. Ended watchers keep their triggers naming it;
   * it is gone for everything else (get, list, new watchers). A webhook mirrored from an object
   * is the object's: deleting the object deletes it.
   */
  async delete(id: string): Promise<void> {
    const source = (await this.repo.get(id))?.source;
    if (source) throw new WebhookMirroredError(id, source);
    const result = await this.repo.delete(id, this.now());
    if (result.kind === "missing") throw new NotFoundError(`webhook ${id} not found`);
    if (result.kind === "in-use") throw new WebhookInUseError(id, result.watcherIds, result.count);
  }

  /**
   * Enables a webhook disabled for failing too long: its waiting deliveries are due now, with at
   * least `minDeadlineMs` left. One that is not disabled is answered as it is.
   */
  async enable(id: string): Promise<Webhook> {
    const done = await this.repo.enable(id, this.now(), this.o.minDeadlineMs ?? HOUR_MS);
    if (!done) throw new NotFoundError(`webhook ${id} not found`);
    this.o.onEnabled?.(done.webhook, done.wasDisabled);
    return done.webhook;
  }

  /**
   * Gives a webhook a new signing secret; the current one signs beside it for the overlap
   * (default 24 hours). A mirrored webhook's secret is its Secret's: refused.
   */
  async rotateSecret(
    id: string,
    r: { secret: string; previousExpiresInSeconds?: number | undefined },
  ): Promise<Webhook> {
    const violations = validateRotation(r);
    if (violations.length > 0) throw new ValidationError(violations);
    const source = (await this.repo.get(id))?.source;
    if (source) {
      const fix =
        "its signing secret is its Secret's: rotate that (a key holding two secrets, space-separated, signs with both)";
      throw new WebhookMirroredError(id, source, fix);
    }
    const overlap = r.previousExpiresInSeconds ?? LIMITS.defaultPreviousSecretSeconds;
    const expires = overlap > 0 ? new Date(this.now().getTime() + overlap * 1000) : undefined;
    const w = await this.repo.rotateSecret(id, r.secret, expires);
    if (!w) throw new NotFoundError(`webhook ${id} not found`);
    return w;
  }
}

const HOUR_MS = 3_600_000;

// A payload field as the API names it: a Webhook object's spec.body is the API's bodyTemplate.
function apiField(field: string): string {
  const f = field.replace(/^spec\./, "");
  return /^body\b/.test(f) ? `bodyTemplate${f.slice("body".length)}` : f;
}
