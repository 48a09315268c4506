import type { Page, PageRequest, WebhookInput, WebhookView } from "../../contract/model.js";
import type {
  CreateWebhookRequest,
  ListWebhooksRequest,
  ListWebhooksResponse,
  Webhook,
} from "../gen/jobhooks/v1/webhooks.js";

/** Webhooks between the contract's shapes and their protobuf messages. */

export function webhookToProto(w: WebhookView): Webhook {
  return {
    id: w.id,
    url: w.url,
    requestBody: w.requestBody,
    description: w.description,
    createdAt: w.createdAt,
    signed: w.signed,
  };
}

export function webhookFromProto(w: Webhook): WebhookView {
  return {
    id: w.id,
    url: w.url,
    // An empty request_body carries nothing: it means the JSON event, as an absent one does.
    requestBody: w.requestBody === "" ? undefined : w.requestBody,
    description: w.description,
    createdAt: w.createdAt ?? new Date(0),
    signed: w.signed,
  };
}

export function webhookInputToProto(i: WebhookInput): CreateWebhookRequest {
  return {
    url: i.url,
    requestBody: i.requestBody === "" ? undefined : i.requestBody,
    description: i.description ?? "",
    secret: i.secret,
  };
}

export function webhookInputFromProto(r: CreateWebhookRequest): WebhookInput {
  return {
    url: r.url,
    requestBody: r.requestBody === "" ? undefined : r.requestBody,
    description: r.description,
    secret: r.secret,
  };
}

export function pageToProto(p: PageRequest): { pageSize: number; pageToken: string } {
  return { pageSize: p.pageSize ?? 0, pageToken: p.pageToken ?? "" };
}

export function pageFromProto(r: ListWebhooksRequest): PageRequest {
  return { pageSize: r.pageSize, pageToken: r.pageToken };
}

export function webhookPageToProto(p: Page<WebhookView>): ListWebhooksResponse {
  return { webhooks: p.items.map(webhookToProto), nextPageToken: p.nextPageToken };
}

export function webhookPageFromProto(r: ListWebhooksResponse): Page<WebhookView> {
  return { items: r.webhooks.map(webhookFromProto), nextPageToken: r.nextPageToken };
}
