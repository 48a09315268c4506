import { randomUUID } from "node:crypto";
import type { WebhookRepo } from "../store/WebhookRepo.js";
import { NotFoundError, ValidationError, WebhookInUseError } from "./errors.js";
import { listPage, type Page } from "./listPage.js";
import type { Webhook } from "./model.js";
import type { PageBounds } from "./takePage.js";
import { validateWebhook, type WebhookInput } from "./validate.js";

/** Registering, reading and deleting webhooks. */
export class Webhooks {
  constructor(
    private readonly repo: WebhookRepo,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: WebhookInput): Promise<Webhook> {
    const violations = validateWebhook(input);
    if (violations.length > 0) throw new ValidationError(violations);
    const webhook: Webhook = { id: randomUUID(), ...input, createdAt: this.now() };
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
   * it is gone for everything else (get, list, new watchers).
   */
  async delete(id: string): Promise<void> {
    const result = await this.repo.delete(id, this.now());
    if (result.kind === "missing") throw new NotFoundError(`webhook ${id} not found`);
    if (result.kind === "in-use") throw new WebhookInUseError(id, result.watcherIds, result.count);
  }
}
