import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../common/logger.js";
import { readBody } from "../common/readBody.js";
import type { CounterValue } from "../contract/model.js";
import { counterValueJson, ttlSeconds } from "../rest/counter.js";
import { checkCounterQuery, oneParam } from "./counterRoute.js";
import type { ControlplaneLink } from "./ControlplaneLink.js";
import type { PodIdentity } from "./podIdentity.js";
import { MAX_BODY_BYTES, type RouteHandler } from "./route.js";

/** How long the pod stays busy after the sidecar itself is gone (it cannot release then). */
export const DEFAULT_HOLD_TTL_SECONDS = 30;
/** A release the controlplane did not answer is tried this often, then left to the lease. */
const RELEASE_TRIES = 3;

function line(res: ServerResponse, body: object): void {
  if (!res.writableEnded) res.write(`${JSON.stringify(body)}\n`);
}

/**
 * POST /hold[?ttl=30s]: the pod is busy for as long as this request stays open. The simplest safe
 * way for a script to mark a pod busy:
 *
 *     curl -sN -X POST localhost:8181/hold &   # busy from its first line on
 *     …work…
 *     kill %1                                  # idle again
 *
 * The hold is a lease (ttl: how long the pod stays busy if the sidecar itself dies), renewed
 * every third of its ttl while the connection is open; each renewal writes a line, so the
 * answer is newline-delimited JSON: first {"value", "leaseId", "expiresAt"}, then the same after
 * each renewal. When the client goes (it ends, or is killed: its connection closes) the lease is
 * released at once. If the lease is lost (a force release, or the controlplane was out of reach
 * for longer than the ttl) a last line {"error"} says so and the answer ends.
 */
export function holdRoute(link: ControlplaneLink, pod: PodIdentity, log: Logger): RouteHandler {
  return async (req, res, url) => {
    checkCounterQuery(url.searchParams, pod.podName, ["pod_name", "ttl"]);
    const ttlParam = oneParam(url.searchParams, "ttl");
    const ttl = ttlParam === undefined ? DEFAULT_HOLD_TTL_SECONDS : ttlSeconds(ttlParam);
    await readBody(req, MAX_BODY_BYTES);
    const where = { podName: pod.podName, namespace: pod.namespace };
    const counter = link.api.podCounter;
    const held = await counter.count(
      await link.callOptions(true),
      { ...where, ttlSeconds: ttl },
      1,
    );
    const leaseId = held.lease?.id ?? "";
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    line(res, counterValueJson(held));
    try {
      await renewWhileOpen(
        () =>
          link
            .callOptions(true)
            .then((o) => counter.renewLease(o, { ...where, leaseId, ttlSeconds: ttl })),
        { res, ttl, signal: gone.signal, expiresAt: held.lease?.expiresAt },
      );
    } finally {
      res.end();
      await release(
        () => link.callOptions(false).then((o) => counter.releaseLease(o, { ...where, leaseId })),
        log,
      );
    }
  };
}

// Renews every third of the ttl until the client goes, or the lease is lost.
async function renewWhileOpen(
  renew: () => Promise<CounterValue>,
  o: { res: ServerResponse; ttl: number; signal: AbortSignal; expiresAt: string | undefined },
): Promise<void> {
  let expiresAt = Date.parse(o.expiresAt ?? "") || Date.now() + o.ttl * 1000;
  for (;;) {
    const open = await sleep((o.ttl * 1000) / 3, true, { signal: o.signal }).catch(() => false);
    if (!open) return;
    try {
      const v = await renew();
      expiresAt = Date.parse(v.lease?.expiresAt ?? "") || expiresAt;
      line(o.res, counterValueJson(v));
    } catch (err) {
      if (lost(err, expiresAt)) {
        line(o.res, { error: `the hold ended: ${(err as Error).message}` });
        return;
      }
      // Out of reach for now: tried again at the next third, while the lease may still hold.
    }
  }
}

function lost(err: unknown, expiresAt: number): boolean {
  return (err as { code?: string }).code === "not-found" || Date.now() >= expiresAt;
}

async function release(call: () => Promise<CounterValue>, log: Logger): Promise<void> {
  for (let i = 1; i <= RELEASE_TRIES; i++) {
    try {
      await call();
      return;
    } catch (err) {
      if ((err as { code?: string }).code === "not-found") return; // gone already
      if (i === RELEASE_TRIES) {
        log.warn({ err }, "could not release a hold; its lease ends by itself");
        return;
      }
      await sleep(200 * i);
    }
  }
}
