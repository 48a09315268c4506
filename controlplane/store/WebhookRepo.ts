import type { Database, Statement } from "better-sqlite3";
import type { Webhook } from "../watchers/model.js";
import { toWebhook, type WebhookRow } from "./rows.js";
import { statementCache } from "./statements.js";

export class WebhookRepo {
  private readonly q: (sql: string) => Statement;

  constructor(db: Database) {
    this.q = statementCache(db);
  }

  insert(w: Webhook): void {
    this.q(
      `INSERT INTO webhooks (id, url, request_body, description, secret, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      w.id,
      w.url,
      w.requestBody ?? null,
      w.description,
      w.secret ?? null,
      w.createdAt.getTime(),
    );
  }

  get(id: string): Webhook | undefined {
    const row = this.q(`SELECT * FROM webhooks WHERE id = ?`).get(id) as WebhookRow | undefined;
    return row && toWebhook(row);
  }

  list(): Webhook[] {
    const rows = this.q(`SELECT * FROM webhooks ORDER BY created_at, id`).all();
    return (rows as WebhookRow[]).map(toWebhook);
  }
}
