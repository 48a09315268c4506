import { watcherJson, watcherRequest } from "../rest/convert.js";
import { idempotencyKey } from "../rest/idempotencyKey.js";
import { badRequest } from "../rest/Problem.js";
import { readJson } from "../rest/readJson.js";
import { sendJson } from "../rest/respond.js";
import type { ControlplaneLink } from "./ControlplaneLink.js";
import type { PodIdentity } from "./podIdentity.js";
import { MAX_BODY_BYTES, type RouteHandler } from "./route.js";
import { withPodDefaults } from "./withPodDefaults.js";

/**
 * POST /job-done-watchers: the REST API's body and Idempotency-Key, defaulting to this pod's
 * Job and namespace. 201 with the watcher, as the gateway answers.
 */
export function watcherRoute(link: ControlplaneLink, pod: PodIdentity): RouteHandler {
  return async (req, res, url) => {
    if (url.search !== "") throw badRequest("POST /job-done-watchers takes no query parameters");
    const key = idempotencyKey(req);
    // An empty body is {}: every field has a default here, so `curl -X POST` registers this Job.
    const json = await readJson(req, MAX_BODY_BYTES, {});
    // Ajv and the OpenAPI document are loaded on the first watcher, not at start: most pods
    // only count, and the sidecar's memory is paid in every pod.
    const { check, validators } = await import("../rest/validators.js");
    const body = check(validators.sidecarWatcherCreate, json, "the request body");
    const created = await link.api.watchers.create(
      await link.callOptions(key !== undefined),
      watcherRequest(withPodDefaults(body, pod)),
      key,
    );
    sendJson(res, 201, watcherJson(created));
  };
}
