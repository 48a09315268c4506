import type { ReceivedRequest } from "./receiver.js";

/** The custom resources' apiVersion. */
export const WEBHOOKS_API = "jobhooks.dev/v1alpha1";

/** A Webhook object, as a test applies it. */
export function webhookObject(ns: string, name: string, spec: Record<string, unknown>): object {
  return { apiVersion: WEBHOOKS_API, kind: "Webhook", metadata: { name, namespace: ns }, spec };
}

/** A request's body as JSON. */
export const jsonBody = (r: ReceivedRequest | undefined): Record<string, unknown> =>
  JSON.parse(r?.body ?? "null") as Record<string, unknown>;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
