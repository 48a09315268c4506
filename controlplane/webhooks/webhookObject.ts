import { createHash } from "node:crypto";
import type { FieldViolation as Violation } from "../../contract/errors.js";
import type { Webhook, WebhookKind, WebhookOptions, WebhookSource } from "../watchers/model.js";

/** The custom resources' group and version (manifests/crds.yaml). */
export const GROUP = "jobhooks.dev";
export const VERSION = "v1alpha1";

/** A Webhook or ClusterWebhook as the apiserver sends it; the CRD's schema has checked its shape. */
export interface WebhookObject {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    generation?: number;
    creationTimestamp?: string;
  };
  spec: {
    url: string;
    description?: string;
    signingSecretRef?: { name: string; key?: string };
    body?: string;
    headers?: Record<string, string>;
    cloudEvents?: { mode?: "Binary" | "Structured" };
    timeoutSeconds?: number;
    /** ClusterWebhook only. */
    namespaces?: string[];
  };
}

/** The collection of a kind, for list and watch. */
export function collectionPath(kind: WebhookKind): string {
  return `/apis/${GROUP}/${VERSION}/${kind === "Webhook" ? "webhooks" : "clusterwebhooks"}`;
}

/** An object's status subresource. */
export function statusPath(source: WebhookSource): string {
  const { kind, namespace, name } = source;
  const scope = kind === "Webhook" ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const plural = kind === "Webhook" ? "webhooks" : "clusterwebhooks";
  return `/apis/${GROUP}/${VERSION}${scope}/${plural}/${encodeURIComponent(name)}/status`;
}

export function sourceOf(kind: WebhookKind, o: WebhookObject): WebhookSource {
  return {
    kind,
    namespace: kind === "Webhook" ? (o.metadata.namespace ?? "") : "",
    name: o.metadata.name,
  };
}

/**
 * The id of the webhook an object mirrors: a UUID made from its kind, namespace and name, so an
 * object deleted and made again is the same webhook, and every replica computes the same id.
 */
export function mirroredId(s: WebhookSource): string {
  const h = createHash("sha256").update(`${GROUP}/${s.kind}/${s.namespace}/${s.name}`).digest();
  h.writeUInt8((h.readUInt8(6) & 0x0f) | 0x80, 6); // version 8: custom
  h.writeUInt8((h.readUInt8(8) & 0x3f) | 0x80, 8); // RFC 9562 variant
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface MirrorContext {
  /** The controlplane's own namespace: where a ClusterWebhook's signing Secret lives. */
  ownNamespace: string;
  /** Checks a payload (body template, headers, CloudEvents); violations at spec.body, spec.headers.X. */
  checkPayload: (
    p: Pick<WebhookOptions, "bodyTemplate" | "headers" | "cloudEvents">,
  ) => Violation[];
  /** The egress policy's judgement of a URL whose host is an IP address (--deny-destinations). */
  checkUrl: (url: string) => string | undefined;
  now: Date;
}

/**
 * The webhook an object stands for, or why it cannot be used (its status says so; the store
 * keeps the last version that could). Pure.
 */
export function mirrorOf(
  kind: WebhookKind,
  o: WebhookObject,
  c: MirrorContext,
): { webhook: Webhook } | { violations: Violation[] } {
  const source = sourceOf(kind, o);
  const s = o.spec;
  const payload = payloadOf(s);
  const violations = c.checkPayload(payload).map((v) => ({ ...v, field: specField(v.field) }));
  const urlProblem = /^https?:\/\/[^/]/i.test(s.url)
    ? c.checkUrl(s.url)
    : "must be an http or https URL";
  if (urlProblem) violations.unshift({ field: "spec.url", description: urlProblem });
  if (violations.length > 0) return { violations };
  const options: WebhookOptions = { ...payload, ...deliveryOptions(source, s, c.ownNamespace) };
  const created = new Date(o.metadata.creationTimestamp ?? c.now);
  return {
    webhook: {
      id: mirroredId(source),
      url: s.url,
      requestBody: undefined,
      description: s.description ?? "",
      secret: undefined,
      createdAt: Number.isNaN(created.getTime()) ? c.now : created,
      source,
      ...(Object.keys(options).length > 0 && { options }),
    },
  };
}

type Spec = WebhookObject["spec"];

function payloadOf(s: Spec): Pick<WebhookOptions, "bodyTemplate" | "headers" | "cloudEvents"> {
  return {
    ...(s.body !== undefined && s.body !== "" && { bodyTemplate: s.body }),
    ...(s.headers && Object.keys(s.headers).length > 0 && { headers: s.headers }),
    ...(s.cloudEvents && { cloudEvents: { mode: s.cloudEvents.mode ?? "Binary" } }),
  };
}

// The signing Secret (a Webhook's in its namespace, a ClusterWebhook's in the controlplane's),
// a ClusterWebhook's namespaces, the delivery bound.
function deliveryOptions(source: WebhookSource, s: Spec, ownNamespace: string): WebhookOptions {
  const cluster = source.kind === "ClusterWebhook";
  const ref = s.signingSecretRef;
  return {
    ...(ref && {
      secretRef: {
        namespace: cluster ? ownNamespace : source.namespace,
        name: ref.name,
        key: ref.key ?? "secret",
      },
    }),
    ...(cluster && s.namespaces?.length && { namespaces: s.namespaces }),
    ...(s.timeoutSeconds && { timeoutSeconds: s.timeoutSeconds }),
  };
}

// A payload violation's field (body, headers.X-Y) as the object's (spec.body, spec.headers.X-Y).
function specField(field: string): string {
  return field.startsWith("spec.") ? field : `spec.${field}`;
}

/** Whether a Job in `namespace` may use the webhook (a ClusterWebhook may name its namespaces). */
export function usableFrom(w: Webhook, namespace: string): boolean {
  if (w.source?.kind === "Webhook") return w.source.namespace === namespace;
  const allowed = w.options?.namespaces;
  return !allowed || allowed.length === 0 || allowed.includes(namespace);
}
