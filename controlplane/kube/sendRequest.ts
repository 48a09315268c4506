import type * as k8s from "@kubernetes/client-node";
import { request as httpRequest, type Agent, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";

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
  kc: k8s.KubeConfig,
  url: URL,
  agent: Agent,
  r: KubeRequest & { signal: AbortSignal },
): Promise<IncomingMessage> {
  for (const [k, v] of Object.entries(r.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const headers = await credentialHeaders(kc);
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

// Tokens (files that rotate, exec plugins) are read per call; the client certificate is the agent's.
async function credentialHeaders(kc: k8s.KubeConfig): Promise<Record<string, string>> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers = { ...(opts.headers as Record<string, string> | undefined) };
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
  return headers;
}
