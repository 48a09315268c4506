import type { WebhookOperations } from "../../contract/JobhooksApi.js";
import type { WebhookInput, WebhookView } from "../../contract/model.js";
import type { Auth, Caller } from "../auth/Caller.js";
import type { Webhook } from "../watchers/model.js";
import type { Redeliveries } from "../watchers/Redeliveries.js";
import type { Webhooks } from "../watchers/Webhooks.js";
import { pageBounds } from "./pageBounds.js";

/**
 * A webhook as callers see it: whether it has a secret (its own or a Secret it names), never the
 * secret, nor where a Secret is; what it mirrors, if anything; its payload options.
 */
export function webhookView(w: Webhook): WebhookView {
  const o = w.options;
  return {
    id: w.id,
    url: w.url,
    requestBody: w.requestBody,
    description: w.description,
    createdAt: w.createdAt,
    signed: w.secret !== undefined || o?.secretRef !== undefined,
    readOnly: w.source !== undefined,
    ...(w.source && { source: { ...w.source } }),
    ...(o?.bodyTemplate !== undefined && { bodyTemplate: o.bodyTemplate }),
    ...(o?.headers !== undefined && { headers: { ...o.headers } }),
    ...(o?.cloudEvents !== undefined && { cloudEvents: { mode: o.cloudEvents.mode } }),
    ...healthView(w),
  };
}

// Whether it is disabled, since when it fails, when a rotation's previous secret expires.
function healthView(
  w: Webhook,
): Pick<WebhookView, "disabled" | "disabledAt" | "failingSince" | "previousSecretExpiresAt"> {
  return {
    disabled: w.disabledAt !== undefined,
    ...(w.disabledAt && { disabledAt: w.disabledAt }),
    ...(w.failingSince && { failingSince: w.failingSince }),
    ...(w.previousSecret && { previousSecretExpiresAt: w.previousSecret.expiresAt }),
  };
}

/** Webhooks are cluster-wide: RBAC on webhooks.jobhooks.dev without a namespace. */
export function webhookOperations(
  webhooks: Webhooks,
  auth: Auth,
  redeliveries: Redeliveries,
): WebhookOperations<Caller> {
  return {
    create: async (caller, input) => {
      await auth.authorize(caller, { verb: "create", resource: "webhooks" });
      return webhookView(await webhooks.create(withDefaults(input)));
    },
    get: async (caller, id) => {
      await auth.authorize(caller, { verb: "get", resource: "webhooks" });
      return webhookView(await webhooks.get(id));
    },
    list: async (caller, page) => {
      await auth.authorize(caller, { verb: "list", resource: "webhooks" });
      const found = await webhooks.list(pageBounds(page, webhookView), page.pageToken ?? "");
      return { items: found.items.map(webhookView), nextPageToken: found.nextPageToken };
    },
    delete: async (caller, id) => {
      await auth.authorize(caller, { verb: "delete", resource: "webhooks" });
      await webhooks.delete(id);
    },
    // Sending its missed deliveries again acts on the webhook: "update".
    recover: async (caller, id, since) => {
      await auth.authorize(caller, { verb: "update", resource: "webhooks" });
      return { queued: await redeliveries.recover(id, since) };
    },
    enable: async (caller, id) => {
      await auth.authorize(caller, { verb: "update", resource: "webhooks" });
      return webhookView(await webhooks.enable(id));
    },
    rotateSecret: async (caller, id, rotation) => {
      await auth.authorize(caller, { verb: "update", resource: "webhooks" });
      return webhookView(await webhooks.rotateSecret(id, rotation));
    },
  };
}

// The url without the blanks a copy and paste brings; an empty request body or body template is
// none, and so are no headers, as protobuf cannot tell the two apart.
function withDefaults(input: WebhookInput): Parameters<Webhooks["create"]>[0] {
  const headers = input.headers ?? {};
  return {
    url: input.url.trim(),
    requestBody: input.requestBody === "" ? undefined : input.requestBody,
    description: input.description ?? "",
    secret: input.secret,
    ...(input.bodyTemplate && { bodyTemplate: input.bodyTemplate }),
    ...(Object.keys(headers).length > 0 && { headers }),
    ...(input.cloudEvents && { cloudEvents: { mode: input.cloudEvents.mode } }),
  };
}
