import { ValidationError } from "../../contract/errors.js";
import type {
  CloudEventsMode,
  Page,
  PageRequest,
  SecretRotation,
  WebhookInput,
  WebhookKind,
  WebhookPayload,
  WebhookSource,
  WebhookView,
} from "../../contract/model.js";
import {
  CloudEventsMode as ProtoMode,
  WebhookKind as ProtoKind,
  type CloudEvents,
  type CreateWebhookRequest,
  type ListWebhooksRequest,
  type ListWebhooksResponse,
  type RecoverWebhookRequest,
  type RotateWebhookSecretRequest,
  type Webhook,
  type WebhookSource as ProtoSource,
} from "../gen/jobhooks/v1/webhooks.js";

/** Webhooks between the contract's shapes and their protobuf messages. */

// The contract names kinds and modes as Kubernetes objects spell them (ClusterWebhook, Binary).
const KINDS: Record<WebhookKind, ProtoKind> = {
  Webhook: ProtoKind.WEBHOOK,
  ClusterWebhook: ProtoKind.CLUSTER_WEBHOOK,
};
const MODES: Record<CloudEventsMode, ProtoMode> = {
  Binary: ProtoMode.BINARY,
  Structured: ProtoMode.STRUCTURED,
};

function keyOf<K extends string, V>(table: Record<K, V>, value: V): K | undefined {
  return (Object.keys(table) as K[]).find((k) => table[k] === value);
}

export function webhookToProto(w: WebhookView): Webhook {
  return {
    id: w.id,
    url: w.url,
    requestBody: w.requestBody,
    description: w.description,
    createdAt: w.createdAt,
    signed: w.signed,
    readOnly: w.readOnly,
    source: w.source && { ...w.source, kind: KINDS[w.source.kind] },
    ...payloadToProto(w),
    disabled: w.disabled,
    disabledAt: w.disabledAt,
    failingSince: w.failingSince,
    previousSecretExpiresAt: w.previousSecretExpiresAt,
  };
}

export function webhookFromProto(w: Webhook): WebhookView {
  const source = w.source && sourceFromProto(w.source);
  return {
    id: w.id,
    url: w.url,
    // An empty request_body carries nothing: it means the JSON event, as an absent one does.
    requestBody: w.requestBody === "" ? undefined : w.requestBody,
    description: w.description,
    createdAt: w.createdAt ?? new Date(0),
    signed: w.signed,
    readOnly: w.readOnly,
    ...(source && { source }),
    ...payloadFromProto(w),
    disabled: w.disabled,
    ...(w.disabledAt && { disabledAt: w.disabledAt }),
    ...(w.failingSince && { failingSince: w.failingSince }),
    ...(w.previousSecretExpiresAt && { previousSecretExpiresAt: w.previousSecretExpiresAt }),
  };
}

export function rotationToProto(id: string, r: SecretRotation): RotateWebhookSecretRequest {
  return { id, secret: r.secret, previousExpiresInSeconds: r.previousExpiresInSeconds };
}

export function rotationFromProto(r: RotateWebhookSecretRequest): SecretRotation {
  return {
    secret: r.secret,
    ...(r.previousExpiresInSeconds !== undefined && {
      previousExpiresInSeconds: r.previousExpiresInSeconds,
    }),
  };
}

export function webhookInputToProto(i: WebhookInput): CreateWebhookRequest {
  return {
    url: i.url,
    requestBody: i.requestBody === "" ? undefined : i.requestBody,
    description: i.description ?? "",
    secret: i.secret,
    ...payloadToProto(i),
  };
}

/** A create request off the wire; a CloudEvents mode this side does not know is refused. */
export function webhookInputFromProto(r: CreateWebhookRequest): WebhookInput {
  return {
    url: r.url,
    requestBody: r.requestBody === "" ? undefined : r.requestBody,
    description: r.description,
    secret: r.secret,
    ...payloadFromProto(r),
  };
}

function payloadToProto(p: WebhookPayload): {
  bodyTemplate: string | undefined;
  headers: Record<string, string>;
  cloudEvents: CloudEvents | undefined;
} {
  return {
    bodyTemplate: p.bodyTemplate === "" ? undefined : p.bodyTemplate,
    headers: { ...p.headers },
    cloudEvents: p.cloudEvents && { mode: MODES[p.cloudEvents.mode] },
  };
}

// Empty fields are absent ones: protobuf cannot tell the two apart.
function payloadFromProto(m: Webhook | CreateWebhookRequest): WebhookPayload {
  const headers = Object.keys(m.headers).length > 0 ? { headers: { ...m.headers } } : {};
  return {
    ...(m.bodyTemplate && { bodyTemplate: m.bodyTemplate }),
    ...headers,
    ...(m.cloudEvents && { cloudEvents: { mode: modeFromProto(m.cloudEvents.mode) } }),
  };
}

// CloudEvents' own default is the binary mode.
function modeFromProto(mode: ProtoMode): CloudEventsMode {
  if (mode === ProtoMode.UNSPECIFIED) return "Binary";
  const name = keyOf(MODES, mode);
  if (name === undefined) {
    throw new ValidationError([
      { field: "cloudEvents.mode", description: "must be BINARY or STRUCTURED" },
    ]);
  }
  return name;
}

// A kind this side does not know (a newer controlplane's) is left out: the webhook stays readOnly.
function sourceFromProto(s: ProtoSource): WebhookSource | undefined {
  const kind = keyOf(KINDS, s.kind);
  return kind && { kind, namespace: s.namespace, name: s.name };
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

/** A recovery's `since`, which the request must carry. */
export function recoverSinceFromProto(r: RecoverWebhookRequest): Date {
  if (r.since === undefined) {
    throw new ValidationError([{ field: "since", description: "is required" }]);
  }
  return r.since;
}
