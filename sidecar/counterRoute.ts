import { randomUUID } from "node:crypto";
import { acceptsPlainText } from "./acceptsPlainText.js";
import type { ControlplaneLink } from "./ControlplaneLink.js";
import { readBody } from "../common/readBody.js";
import { counterValueJson, ttlSeconds } from "../rest/counter.js";
import { badRequest } from "../rest/Problem.js";
import { sendJson, sendText } from "../rest/respond.js";
import type { PodIdentity } from "./podIdentity.js";
import { MAX_BODY_BYTES, type RouteHandler } from "./route.js";

/**
 * pod-webhook-tracker's callers name their pod in ?pod_name=; pointed at the sidecar they may
 * keep doing so, as long as it is this pod.
 */
export function checkCounterQuery(
  query: URLSearchParams,
  ownPod: string | undefined,
  allowed: readonly string[] = ["pod_name"],
): void {
  for (const key of new Set(query.keys())) {
    if (!allowed.includes(key)) {
      throw badRequest(`unknown query parameter ${key}`, [
        { field: key, message: "is not a known query parameter" },
      ]);
    }
  }
  const named = query.getAll("pod_name");
  if (named.length > 0 && (named.length > 1 || named[0] !== ownPod)) {
    throw badRequest(
      `the sidecar counts its own pod only (${ownPod ?? "POD_NAME is not set"}), not ${named.join(", ")}`,
      [{ field: "pod_name", message: "must be this pod's name, or left out" }],
    );
  }
}

/** The one value of a query parameter, or undefined; twice is refused. */
export function oneParam(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) {
    throw badRequest(`${name} is given twice`, [{ field: name, message: "must be given once" }]);
  }
  return values[0];
}

/**
 * POST /increment, /decrement: the pod's counter. JSON {"value": N}, or the bare number for
 * `Accept: text/plain` as pod-webhook-tracker's callers expect; an increment with ?ttl= is a
 * lease, answered as JSON with its id. The call names this pod (from the downward API), so it
 * works under every --auth: without a token check (--auth=none) the name is all the controlplane
 * has, and with one it must be the pod the token is bound to.
 */
export function counterRoute(
  operation: "increment" | "decrement",
  link: ControlplaneLink,
  pod: PodIdentity,
): RouteHandler {
  return async (req, res, url) => {
    const increment = operation === "increment";
    checkCounterQuery(url.searchParams, pod.podName, increment ? ["pod_name", "ttl"] : undefined);
    const ttl = oneParam(url.searchParams, "ttl");
    await readBody(req, MAX_BODY_BYTES);
    const request = {
      podName: pod.podName,
      namespace: pod.namespace,
      // One id per HTTP request: its retries are recognised, a second request is not.
      requestId: randomUUID(),
      ttlSeconds: ttl === undefined ? undefined : ttlSeconds(ttl),
    };
    const v = await link.api.podCounter.count(
      await link.callOptions(true),
      request,
      increment ? 1 : -1,
    );
    if (acceptsPlainText(req.headers.accept) && !v.lease) sendText(res, 200, String(v.value));
    else sendJson(res, 200, counterValueJson(v));
  };
}

/**
 * POST /leases/{leaseId}/renew?ttl=, /leases/{leaseId}/release: a lease of this pod's. A release
 * is not retried by the sidecar: its answer says whether it took the unit away.
 */
export function leaseRoute(
  operation: "renew" | "release",
  link: ControlplaneLink,
  pod: PodIdentity,
): RouteHandler {
  return async (req, res, url, params) => {
    const renew = operation === "renew";
    checkCounterQuery(url.searchParams, pod.podName, renew ? ["pod_name", "ttl"] : undefined);
    const ttl = oneParam(url.searchParams, "ttl");
    if (renew && ttl === undefined) {
      throw badRequest("ttl is required", [{ field: "ttl", message: "is required" }]);
    }
    await readBody(req, MAX_BODY_BYTES);
    const request = {
      podName: pod.podName,
      namespace: pod.namespace,
      leaseId: params?.leaseId ?? "",
      ttlSeconds: ttl === undefined ? undefined : ttlSeconds(ttl),
    };
    const counter = link.api.podCounter;
    const v = renew
      ? await counter.renewLease(await link.callOptions(true), request)
      : await counter.releaseLease(await link.callOptions(false), request);
    sendJson(res, 200, counterValueJson(v));
  };
}
