import { expect } from "chai";
import { nonConformance } from "./openapiConformance.js";

export interface Reply {
  status: number;
  contentType: string;
  headers: Headers;
  body: unknown;
}

export type RestCall = (
  method: string,
  path: string,
  template: string,
  init?: { body?: string | object; headers?: Record<string, string> },
) => Promise<Reply>;

/**
 * Calls the REST API at `baseUrl()` and checks every reply against the OpenAPI document, so that
 * it cannot drift; each operation called is added to `seen` ("POST /webhooks").
 */
export function restCaller(baseUrl: () => string, seen: string[] = []): RestCall {
  return async (method, path, template, init = {}) => {
    const body = typeof init.body === "object" ? JSON.stringify(init.body) : init.body;
    const res = await fetch(baseUrl() + path, {
      method,
      headers: { "content-type": "application/json", ...init.headers },
      ...(body !== undefined && { body }),
    });
    const text = await res.text();
    const contentType = res.headers.get("content-type") ?? "";
    const parsed =
      text === ""
        ? undefined
        : contentType.startsWith("text/plain")
          ? text
          : (JSON.parse(text) as unknown);
    const reply = { status: res.status, contentType, headers: res.headers, body: parsed };
    expect(nonConformance(method, template, reply), `${method} ${path}`).to.deep.equal([]);
    seen.push(`${method} ${template}`);
    return reply;
  };
}

/** The fields a problem names. */
export function problemFields(r: Reply): string[] {
  return ((r.body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);
}
