import {
  Webhook as ProtoWebhook,
  type WebhookServiceImplementation,
} from "../../proto/gen/jobhooks/v1/webhooks.js";
import type { Auth } from "../auth/Caller.js";
import type { Webhooks } from "../watchers/Webhooks.js";
import type { CallerContext } from "./authMiddleware.js";
import { toProtoWebhook } from "./convert.js";
import { pageBounds } from "./pageBounds.js";

/** Webhooks are cluster-wide: RBAC on webhooks.jobhooks.dev without a namespace. */
export function webhookService(
  webhooks: Webhooks,
  auth: Auth,
): WebhookServiceImplementation<CallerContext> {
  return {
    async createWebhook(req, { caller }) {
      await auth.authorize(caller, { verb: "create", resource: "webhooks" });
      const input = {
        url: req.url.trim(),
        requestBody: req.requestBody,
        description: req.description,
        secret: req.secret,
      };
      return toProtoWebhook(webhooks.create(input));
    },
    async getWebhook(req, { caller }) {
      await auth.authorize(caller, { verb: "get", resource: "webhooks" });
      return toProtoWebhook(webhooks.get(req.id));
    },
    async listWebhooks(req, { caller }) {
      await auth.authorize(caller, { verb: "list", resource: "webhooks" });
      const bounds = pageBounds(
        req.pageSize,
        (w: Parameters<typeof toProtoWebhook>[0]) =>
          ProtoWebhook.encode(toProtoWebhook(w)).finish().length,
      );
      const page = webhooks.list(bounds, req.pageToken);
      return { webhooks: page.items.map(toProtoWebhook), nextPageToken: page.nextPageToken };
    },
    async deleteWebhook(req, { caller }) {
      await auth.authorize(caller, { verb: "delete", resource: "webhooks" });
      webhooks.delete(req.id);
      return {};
    },
  };
}
