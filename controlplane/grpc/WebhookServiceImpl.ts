import type { WebhookOperations } from "../../contract/JobhooksApi.js";
import {
  pageFromProto,
  recoverSinceFromProto,
  rotationFromProto,
  webhookInputFromProto,
  webhookPageToProto,
  webhookToProto,
} from "../../proto/codec/webhooks.js";
import type { WebhookServiceImplementation } from "../../proto/gen/jobhooks/v1/webhooks.js";
import type { Caller } from "../auth/Caller.js";
import type { CallerContext } from "./authMiddleware.js";

/** The webhook operations over gRPC. */
export function webhookService(
  webhooks: WebhookOperations<Caller>,
): WebhookServiceImplementation<CallerContext> {
  return {
    createWebhook: async (req, { caller }) =>
      webhookToProto(await webhooks.create(caller, webhookInputFromProto(req))),
    getWebhook: async (req, { caller }) => webhookToProto(await webhooks.get(caller, req.id)),
    listWebhooks: async (req, { caller }) =>
      webhookPageToProto(await webhooks.list(caller, pageFromProto(req))),
    deleteWebhook: async (req, { caller }) => {
      await webhooks.delete(caller, req.id);
      return {};
    },
    recoverWebhook: async (req, { caller }) =>
      webhooks.recover(caller, req.id, recoverSinceFromProto(req)),
    enableWebhook: async (req, { caller }) => webhookToProto(await webhooks.enable(caller, req.id)),
    rotateWebhookSecret: async (req, { caller }) =>
      webhookToProto(await webhooks.rotateSecret(caller, req.id, rotationFromProto(req))),
  };
}
