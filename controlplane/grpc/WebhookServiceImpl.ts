import type { WebhookServiceImplementation } from "../../proto/gen/jobhooks/v1/webhooks.js";
import type { Webhooks } from "../watchers/Webhooks.js";
import { toProtoWebhook } from "./convert.js";

export function webhookService(webhooks: Webhooks): WebhookServiceImplementation {
  return {
    createWebhook: (req) =>
      Promise.resolve(
        toProtoWebhook(
          webhooks.create({
            url: req.url.trim(),
            requestBody: req.requestBody,
            description: req.description,
            secret: req.secret,
          }),
        ),
      ),
    getWebhook: (req) => Promise.resolve(toProtoWebhook(webhooks.get(req.id))),
    listWebhooks: () => Promise.resolve({ webhooks: webhooks.list().map(toProtoWebhook) }),
  };
}
