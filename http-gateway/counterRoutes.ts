import type { JobhooksApi } from "../contract/JobhooksApi.js";
import { counterValueJson, ttlSeconds } from "../rest/counter.js";
import { sendJson, sendText } from "../rest/respond.js";
import { checkQuery, validators } from "../rest/validators.js";
import { auth, type GatewayHandler, type GatewayRequest } from "./routes.js";

function leaseId(r: GatewayRequest): string {
  return r.params.leaseId ?? "";
}

/**
 * The pod counter's REST operations: pod-webhook-tracker's /increment and /decrement (the count
 * as plain text; an increment with a ttl is a lease, answered as JSON), the lease calls, and an
 * operator's force release.
 */
export function counterRoutes(api: JobhooksApi): Record<string, GatewayHandler> {
  const count = (delta: 1 | -1): GatewayHandler => {
    return async (r) => {
      const q = checkQuery(delta > 0 ? validators.counterQuery : validators.podQuery, r.query);
      const ttl = q.ttl === undefined ? undefined : ttlSeconds(q.ttl);
      const request = { podName: q.pod_name, namespace: q.namespace, ttlSeconds: ttl };
      const v = await api.podCounter.count(auth(r), request, delta);
      if (v.lease) sendJson(r.res, 200, counterValueJson(v));
      else sendText(r.res, 200, String(v.value));
    };
  };
  return {
    increment: count(1),
    decrement: count(-1),
    renewLease: async (r) => {
      const q = checkQuery(validators.renewQuery, r.query);
      const request = {
        podName: q.pod_name,
        namespace: q.namespace,
        leaseId: leaseId(r),
        ttlSeconds: ttlSeconds(q.ttl),
      };
      sendJson(r.res, 200, counterValueJson(await api.podCounter.renewLease(auth(r), request)));
    },
    releaseLease: async (r) => {
      const q = checkQuery(validators.podQuery, r.query);
      const request = { podName: q.pod_name, namespace: q.namespace, leaseId: leaseId(r) };
      sendJson(r.res, 200, counterValueJson(await api.podCounter.releaseLease(auth(r), request)));
    },
    forceRelease: async (r) => {
      const q = checkQuery(validators.podQuery, r.query);
      const request = { podName: q.pod_name, namespace: q.namespace };
      sendJson(r.res, 200, counterValueJson(await api.podCounter.forceRelease(auth(r), request)));
    },
  };
}
