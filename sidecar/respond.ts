import type { ServerResponse } from "node:http";
import type { Response } from "express";
import type { Problem } from "../http-gateway/problem.js";

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
}

/** The part of Express's Response that Problem.send uses. */
interface ExpressLikeResponse {
  status(code: number): ExpressLikeResponse;
  set(headers: Record<string, string>): ExpressLikeResponse;
  send(body: string): ExpressLikeResponse;
}

/**
 * Sends a Problem as the gateway does. Problem.send speaks Express's response API; the sidecar
 * is plain node:http, so the three methods it calls are provided here.
 */
export function sendProblem(res: ServerResponse, problem: Problem): void {
  const expressLike: ExpressLikeResponse = {
    status(code) {
      res.statusCode = code;
      return expressLike;
    },
    set(headers) {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      return expressLike;
    },
    send(body) {
      res.end(body);
      return expressLike;
    },
  };
  problem.send(expressLike as unknown as Response);
}
