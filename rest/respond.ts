import type { ServerResponse } from "node:http";
import { problemJson, type Problem } from "./Problem.js";

// Writers of answers over node:http, shared by the gateway and the sidecar. Node leaves the body
// out of an answer to HEAD by itself.

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" })
    .end(JSON.stringify(value));
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
}

export function sendProblem(res: ServerResponse, p: Problem): void {
  res
    .writeHead(p.status, { ...p.headers, "content-type": "application/problem+json" })
    .end(JSON.stringify(problemJson(p)));
}
