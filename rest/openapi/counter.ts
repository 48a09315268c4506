// The pod counter's part of the REST API's document (document.ts).
import { LIMITS } from "../../contract/limits.js";
import { dnsLabel, dnsSubdomain, json, problems, ref } from "./parts.js";

/** A lease's ttl in the query: seconds (900), or a duration of h, m and s (15m, 1h30m). */
export const ttlSchema = {
  type: "string",
  pattern: "^([0-9]{1,7}|([0-9]{1,7}h)?([0-9]{1,7}m)?([0-9]{1,7}s)?)$",
  minLength: 1,
  "x-rule": `must be seconds (900) or a duration such as 15m or 1h30m, from ${LIMITS.leaseTtlSeconds.min} s to 7 days`,
} as const;

const podParameters = [
  { name: "pod_name", in: "query", required: true, schema: dnsSubdomain, example: "worker-0" },
  { name: "namespace", in: "query", required: false, schema: dnsLabel },
] as const;
const ttlParameter = { name: "ttl", in: "query", required: false, schema: ttlSchema } as const;

/** The query of /increment (a ttl makes a lease), /decrement and /force-release. */
export const counterParameters = [...podParameters, ttlParameter] as const;
export const podQueryParameters = podParameters;
/** The query of /leases/{leaseId}/renew (ttl required) and /release (no ttl). */
export const renewParameters = [...podParameters, { ...ttlParameter, required: true }] as const;

export const leaseIdParam = {
  name: "leaseId",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9_-]+$", maxLength: LIMITS.leaseIdLength },
} as const;

const plainCount = {
  "text/plain": { schema: { type: "string", pattern: "^-?[0-9]+$" } },
} as const;

// pod-webhook-tracker's calls, for pods without a sidecar: the answer is the count, as plain text.
function counterOperation(operationId: string, summary: string, lease: boolean): object {
  return {
    operationId,
    summary,
    description:
      "With --auth=tokenreview the caller's token must be bound to the pod it names (a pod counts for itself only)." +
      (lease
        ? " With `ttl`, the unit is a lease: it ends by itself (the count goes down by one) after ttl unless renewed; the answer is then JSON with its id."
        : ""),
    parameters: lease ? counterParameters : podParameters,
    responses: {
      "200": {
        description: lease
          ? "the count after this call, as plain text; with ttl, JSON with the lease"
          : "the count after this call",
        content: lease ? { ...plainCount, ...json(ref("CounterValue")) } : plainCount,
      },
      ...problems(400, 401, 403, 404, 503),
    },
  };
}

function leaseOperation(operationId: string, description: string, renew: boolean): object {
  return {
    operationId,
    description,
    parameters: [leaseIdParam, ...(renew ? renewParameters : podParameters)],
    responses: {
      "200": { description: "the count, and the lease", content: json(ref("CounterValue")) },
      ...problems(
        400,
        401,
        403,
        [404, "the pod, or the lease: it expired, was released, or the count reached 0"],
        503,
      ),
    },
  };
}

export const counterPaths = {
  "/increment": {
    post: counterOperation("increment", "Adds one to the pod's counter label", true),
  },
  "/decrement": {
    post: counterOperation("decrement", "Takes one from the pod's counter label", false),
  },
  "/leases/{leaseId}/renew": {
    post: leaseOperation("renewLease", "The lease now ends `ttl` from now.", true),
  },
  "/leases/{leaseId}/release": {
    post: leaseOperation(
      "releaseLease",
      "The lease ends and the count goes down by one. A lease no longer held is 404, so a retry after a lost answer takes nothing more away.",
      false,
    ),
  },
  "/force-release": {
    post: {
      operationId: "forceRelease",
      description:
        "For an operator who must drain now: the pod's count goes to 0 and every lease on it ends (the label and the autoscaler hints go). Needs `delete` on podcounters.jobhooks.dev in the pod's namespace, whoever calls.",
      parameters: podParameters,
      responses: {
        "200": {
          description: "the count (0), and the leases ended",
          content: json(ref("CounterValue")),
        },
        ...problems(400, 401, 403, 404, 503),
      },
    },
  },
} as const;

export const counterSchemas = {
  CounterValue: {
    type: "object",
    required: ["value"],
    properties: {
      value: { type: "integer", description: "the pod's count after the call" },
      leaseId: { type: "string", description: "an increment with ttl, a renewal: the lease" },
      expiresAt: {
        type: "string",
        format: "date-time",
        description: "when the lease ends unless renewed",
      },
      released: {
        type: "integer",
        minimum: 0,
        description: "a force release: the leases it ended",
      },
    },
    additionalProperties: false,
  },
} as const;
