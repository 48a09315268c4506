import type { WebhookServiceImplementation } from "../../proto/gen/jobhooks/v1/webhooks.js";
import type { WatcherEngine } from "../watchers/WatcherEngine.js";
import { toProtoWebhook } from "./convert.js";

export function webhookService(engine: WatcherEngine): WebhookServiceImplementation {
  return {
    createWebhook: (req) =>
      Promise.resolve(
        toProtoWebhook(
          engine.createWebhook({
            url: req.url.trim(),
            requestBody: req.requestBody,
            description: req.description,
            secret: req.secret,
          }),
        ),
      ),
    getWebhook: (req) => Promise.resolve(toProtoWebhook(engine.getWebhook(req.id))),
    listWebhooks: () => Promise.resolve({ webhooks: engine.listWebhooks().map(toProtoWebhook) }),
  };
}
