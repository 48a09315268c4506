import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import { callSignal } from "./callSignal.js";
import { KubeApiError, KubeTimeoutError } from "./KubeApiError.js";
import type { KubeAccess } from "./KubeAccess.js";
import { kubeAgent } from "./kubeAgent.js";
import { sendRequest, type KubeRequest } from "./sendRequest.js";
import { readWatch, type WatchHandlers } from "./readWatch.js";

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeApiOptions {
  /**
   * Longest wait for one ordinary call (a GET, a list page, a patch, a review), from sending it to
   * the last byte of the answer; then it is aborted and fails with KubeTimeoutError. A watch
   * waits this long for its response's headers only (see watch()). Default 10 s.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The controlplane's one way to the apiserver, made once per process and handed to every part
 * that calls it. Plain JSON over node:http, with no generated client: client-node's models cost
 * about 70 MiB of memory, and its 1.x makes a new agent for every call, so each would pay a TCP
 * and TLS handshake (with a client certificate, the costliest part). One pool of keep-alive
 * connections instead: at hundreds of calls a second the handshake would set the pace. Credentials in
 * headers (tokens) are applied per call, so rotated tokens are picked up. Every call takes an
 * abort signal and has a timeout, so a connection that stalls fails the call instead of holding
 * whatever waits on it (a pod's counter queue, a readiness probe) for ever.
 */
export class KubeApi {
  readonly requestTimeoutMs: number;
  private readonly agent: Promise<HttpAgent>;

  constructor(
    readonly access: KubeAccess,
    o: KubeApiOptions = {},
  ) {
    this.requestTimeoutMs = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.agent = kubeAgent(access);
    // A kubeconfig whose TLS files cannot be read fails the first call, not here.
    this.agent.catch(() => undefined);
  }

  /** GET a path as plain JSON. */
  getJson<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: "GET", path, query, ...(signal && { signal }) });
  }

  /**
   * One call as plain JSON: a non-2xx answer is a KubeApiError with its HTTP status as `code`,
   * no answer within `requestTimeoutMs` a KubeTimeoutError, an abort of `signal` an AbortError.
   */
  async request<T>(r: KubeRequest): Promise<T> {
    const call = callSignal(r.signal, this.requestTimeoutMs);
    try {
      const res = await this.send({ ...r, signal: call.signal });
      const body = await readBody(res);
      if (!res.statusCode || res.statusCode < 200 || res.statusCode > 299) {
        throw new KubeApiError(
          res.statusCode ?? 0,
          `${r.method} ${r.path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`,
        );
      }
      return JSON.parse(body) as T;
    } catch (err) {
      if (call.timedOut) throw new KubeTimeoutError(r.method, r.path, this.requestTimeoutMs);
      throw err;
    } finally {
      call.done();
    }
  }

  /**
   * Watches `path` until the server ends the response (resolves) or it fails (rejects; a non-200
   * answer is a KubeApiError). Only the response's headers are bound by `requestTimeoutMs`: a
   * watch then lives as long as the server keeps it (its `timeoutSeconds`), and whoever runs it
   * bounds its silence (ListWatch gives up on a watch that outlives its timeoutSeconds).
   */
  async watch(
    path: string,
    query: Query,
    handlers: WatchHandlers,
    signal: AbortSignal,
  ): Promise<void> {
    const call = callSignal(signal, this.requestTimeoutMs);
    try {
      const res = await this.send({
        method: "GET",
        path,
        query: { ...query, watch: true },
        signal: call.signal,
      });
      call.answered();
      await readWatch(res, `WATCH ${path}`, handlers);
    } catch (err) {
      if (call.timedOut) throw new KubeTimeoutError("WATCH", path, this.requestTimeoutMs);
      throw err;
    } finally {
      call.done();
    }
  }

  close(): void {
    this.agent.then(
      (agent) => agent.destroy(),
      () => undefined,
    );
  }

  private async send(r: KubeRequest & { signal: AbortSignal }): Promise<IncomingMessage> {
    return sendRequest(this.access, new URL(r.path, this.access.server), await this.agent, r);
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
