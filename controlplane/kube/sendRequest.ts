import { request as httpRequest, type Agent, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubeAccess } from "./KubeAccess.js";

/** Content types the apiserver takes for a PATCH. */
export const PatchType = {
  merge: "application/merge-patch+json",
  strategicMerge: "application/strategic-merge-patch+json",
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

export interface KubeRequest {
  method: "GET" | "POST" | "PATCH";
  /** The API path, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** The body's content type; default application/json. */
  contentType?: PatchType | "application/json";
  signal?: AbortSignal;
}

/** Sends one request with the kubeconfig's credentials; resolves with the response's head. */
export async function sendRequest(
  access: KubeAccess,
  url: URL,
  agent: Agent,
  r: KubeRequest & { signal: AbortSignal },
): Promise<IncomingMessage> {
  for (const [k, v] of Object.entries(r.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  // Tokens (files that rotate, exec plugins) are asked for per call; the client certificate is
  // the agent's.
  const headers = await access.headers();
  headers.accept = "application/json";
  const body = r.body === undefined ? undefined : JSON.stringify(r.body);
  if (body !== undefined) headers["content-type"] = r.contentType ?? "application/json";
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { method: r.method, agent, headers, signal: r.signal }, resolve);
    req.on("error", reject);
    req.end(body);
  });
}
