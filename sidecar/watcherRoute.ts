import { createWatcherRequest, watcherJson } from "../http-gateway/convert.js";
import { badRequest, Problem } from "../http-gateway/problem.js";
import type { ControlplaneLink } from "./ControlplaneLink.js";
import type { PodIdentity } from "./podIdentity.js";
import { readBody } from "../common/readBody.js";
import { sendJson } from "./respond.js";
import { MAX_BODY_BYTES, type RouteHandler } from "./route.js";
import { withPodDefaults } from "./withPodDefaults.js";

// An empty body is {}: every field has a default here, so `curl -X POST` registers this Job.
function parseBody(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Problem(
      400,
      "Bad Request",
      `the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The Idempotency-Key header, as the REST API takes it: any string of 1 to 255 characters. */
export function idempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined) return "";
  if (typeof header !== "string" || header === "" || header.length > 255) {
    throw badRequest("Idempotency-Key must be 1 to 255 characters", [
      { field: "Idempotency-Key", message: "must be 1 to 255 characters" },
    ]);
  }
  return header;
}

/**
 * POST /job-done-watchers: the REST API's body and Idempotency-Key, defaulting to this pod's
 * Job and namespace. 201 with the watcher, as the gateway answers.
 */
export function watcherRoute(link: ControlplaneLink, pod: PodIdentity): RouteHandler {
  return async (req, res, url) => {
    if (url.search !== "") throw badRequest("POST /job-done-watchers takes no query parameters");
    const key = idempotencyKey(req.headers["idempotency-key"]);
    const text = await readBody(req, MAX_BODY_BYTES);
    // Ajv and the OpenAPI document are loaded on the first watcher, not at start: most pods
    // only count, and the sidecar's memory is paid in every pod.
    const { check, validators } = await import("../http-gateway/requestSchemas.js");
    const body = check(validators.sidecarWatcherCreate, parseBody(text), "the request body");
    const request = createWatcherRequest(withPodDefaults(body, pod), key);
    const created = await link.clients.watchers.createWatcher(
      request,
      await link.callOptions(key !== ""),
    );
    sendJson(res, 201, watcherJson(created));
  };
}
