import { randomUUID } from "node:crypto";
import { badRequest } from "../http-gateway/problem.js";
import { acceptsPlainText } from "./acceptsPlainText.js";
import type { ControlplaneLink } from "./ControlplaneLink.js";
import { readBody } from "../common/readBody.js";
import { sendJson, sendText } from "./respond.js";
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
 * POST /increment, /decrement: the pod's counter (the controlplane knows the pod from the
 * token). JSON {"value": N}, or the bare number for `Accept: text/plain` as
 * pod-webhook-tracker's callers expect.
 */
export function counterRoute(
  operation: "increment" | "decrement",
  link: ControlplaneLink,
  ownPod: string | undefined,
): RouteHandler {
  return async (req, res, url) => {
    checkCounterQuery(url.searchParams, ownPod);
    await readBody(req, MAX_BODY_BYTES);
    // One id per HTTP request: the retries of this call are recognised, a second request is not.
    const request = { podName: "", namespace: "", requestId: randomUUID() };
    const { value } = await link.clients.podCounter[operation](
      request,
      await link.callOptions(true),
    );
    if (acceptsPlainText(req.headers.accept)) sendText(res, 200, String(value));
    else sendJson(res, 200, { value });
  };
}
