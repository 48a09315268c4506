import { randomUUID } from "node:crypto";
import { acceptsPlainText } from "./acceptsPlainText.js";
import type { ControlplaneLink } from "./ControlplaneLink.js";
import { readBody } from "../common/readBody.js";
import { badRequest } from "../rest/Problem.js";
import { sendJson, sendText } from "../rest/respond.js";
import type { PodIdentity } from "./podIdentity.js";
import { MAX_BODY_BYTES, type RouteHandler } from "./route.js";

/**
 * pod-webhook-tracker's callers name their pod in ?pod_name=; pointed at the sidecar they may
 * keep doing so, as long as it is this pod.
 */
export function checkCounterQuery(query: URLSearchParams, ownPod: string | undefined): void {
  for (const key of new Set(query.keys())) {
    if (key !== "pod_name") {
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

/**
 * POST /increment, /decrement: the pod's counter. JSON {"value": N}, or the bare number for
 * `Accept: text/plain` as pod-webhook-tracker's callers expect. The call names this pod (from
 * the downward API), so it works under every --auth: without a token check (--auth=none) the
 * name is all the controlplane has, and with one it must be the pod the token is bound to.
 */
export function counterRoute(
  operation: "increment" | "decrement",
  link: ControlplaneLink,
  pod: PodIdentity,
): RouteHandler {
  return async (req, res, url) => {
    checkCounterQuery(url.searchParams, pod.podName);
    await readBody(req, MAX_BODY_BYTES);
    const request = {
      podName: pod.podName,
      namespace: pod.namespace,
      // One id per HTTP request: its retries are recognised, a second request is not.
      requestId: randomUUID(),
    };
    const delta = operation === "increment" ? 1 : -1;
    const { value } = await link.api.podCounter.count(await link.callOptions(true), request, delta);
    if (acceptsPlainText(req.headers.accept)) sendText(res, 200, String(value));
    else sendJson(res, 200, { value });
  };
}
