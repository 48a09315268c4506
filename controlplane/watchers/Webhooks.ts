import { randomUUID } from "node:crypto";
import type { WebhookRepo } from "../store/WebhookRepo.js";
import { NotFoundError, ValidationError } from "./errors.js";
import type { Webhook } from "./model.js";
import { validateWebhook, type WebhookInput } from "./validate.js";

/** Registering and reading webhooks. */
export class Webhooks {
  constructor(
    private readonly repo: WebhookRepo,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(input: WebhookInput): Webhook {
    const violations = validateWebhook(input);
    if (violations.length > 0) throw new ValidationError(violations);
    const webhook: Webhook = { id: randomUUID(), ...input, createdAt: this.now() };
    this.repo.insert(webhook);
    return webhook;
  }

  get(id: string): Webhook {
    const w = this.repo.get(id);
    if (!w) throw new NotFoundError(`webhook ${id} not found`);
    return w;
  }

  list(): Webhook[] {
    return this.repo.list();
  }
}
