import { randomBytes } from "node:crypto";
import { PermissionDeniedError, ValidationError } from "../../contract/errors.js";
import type { CounterOperations } from "../../contract/JobhooksApi.js";
import { LIMITS } from "../../contract/limits.js";
import type { CounterRequest, CounterValue, LeaseRequest } from "../../contract/model.js";
import type { Auth, Caller } from "../auth/Caller.js";
import type { ChangeResult, PodChange } from "../podcounter/decidePod.js";
import type { PodCounter } from "../podcounter/PodCounter.js";
import { dnsLabelProblem, dnsSubdomainProblem } from "../watchers/validate.js";

export interface CounterOperationsOptions {
  /** Decides whether a caller that is not a pod may count for the pods of a namespace. */
  auth: Auth;
  defaultNamespace: string;
  /** Namespaces served; undefined: all. */
  namespaces: readonly string[] | undefined;
}

interface Target {
  namespace: string;
  name: string;
  uid?: string;
}

/**
 * The pod counter for its callers. A pod (its projected token names it) counts for itself only;
 * another caller names the pod, as with pod-webhook-tracker, and needs `update` on
 * `podcounters.jobhooks.dev` in the pod's namespace (always granted with --auth=none). A force
 * release needs `delete` there, whoever calls.
 */
export function counterOperations(
  counter: PodCounter,
  o: CounterOperationsOptions,
): CounterOperations<Caller> {
  const change = async (
    caller: Caller,
    request: CounterRequest,
    what: { change: PodChange; verb?: "delete" },
  ): Promise<CounterValue> => {
    const target = resolve(request, caller, o);
    // A pod counts for itself by its token alone; anyone else needs the RBAC right.
    if (!caller.pod || what.verb) {
      await o.auth.authorize(caller, {
        verb: what.verb ?? "update",
        resource: "podcounters",
        namespace: target.namespace,
      });
    }
    const result = await counter.apply({
      ...target,
      change: what.change,
      ...(request.requestId && { requestId: request.requestId }),
    });
    return counterValue(target, result);
  };
  return {
    count: async (caller, request, delta) => {
      if (request.ttlSeconds === undefined || delta === 0) {
        return change(caller, request, { change: { kind: "count", delta } });
      }
      if (delta < 0) throw invalidTtl("only an increment takes a ttl");
      const ttlMs = ttlOf(request.ttlSeconds);
      const id = randomBytes(16).toString("base64url");
      return change(caller, request, { change: { kind: "acquire", id, ttlMs } });
    },
    renewLease: async (caller, request) => {
      const id = leaseIdOf(request);
      const ttlMs = ttlOf(request.ttlSeconds);
      return change(caller, request, { change: { kind: "renew", id, ttlMs } });
    },
    releaseLease: (caller, request) =>
      change(caller, request, { change: { kind: "release", id: leaseIdOf(request) } }),
    forceRelease: (caller, request) =>
      change(caller, request, { change: { kind: "forceRelease" }, verb: "delete" }),
  };
}

function counterValue(target: Target, r: ChangeResult): CounterValue {
  return {
    namespace: target.namespace,
    podName: target.name,
    value: r.value,
    ...(r.lease && {
      lease: { id: r.lease.id, expiresAt: new Date(r.lease.expiresAt).toISOString() },
    }),
    ...(r.released !== undefined && { released: r.released }),
  };
}

function invalidTtl(description: string): ValidationError {
  return new ValidationError([{ field: "ttlSeconds", description }]);
}

function ttlOf(seconds: number | undefined): number {
  const { min, max } = LIMITS.leaseTtlSeconds;
  if (seconds === undefined) throw invalidTtl("is required");
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw invalidTtl(`must be a whole number of seconds from ${min} to ${max}`);
  }
  return seconds * 1000;
}

function leaseIdOf(request: LeaseRequest): string {
  const id = request.leaseId;
  if (!/^[A-Za-z0-9_-]+$/.test(id) || id.length > LIMITS.leaseIdLength) {
    throw new ValidationError([
      { field: "leaseId", description: "is not a lease id (as an increment with a ttl answers)" },
    ]);
  }
  return id;
}

function resolve(
  request: CounterRequest | LeaseRequest,
  caller: Caller,
  o: CounterOperationsOptions,
): Target {
  const target = targetOf(request, caller, o);
  const problems = [
    { field: "podName", description: dnsSubdomainProblem(target.name) },
    { field: "namespace", description: dnsLabelProblem(target.namespace, LIMITS.nameLength) },
  ].filter((p): p is { field: string; description: string } => p.description !== undefined);
  if (problems.length > 0) throw new ValidationError(problems);
  if (o.namespaces && !o.namespaces.includes(target.namespace)) {
    throw new PermissionDeniedError(
      `namespace ${target.namespace} is not served by this controlplane`,
    );
  }
  return target;
}

// A pod's token counts for that pod, which the request may name (a sidecar names its own pod, so
// that it also works where no token is read, --auth=none); any other caller names the pod.
function targetOf(
  request: CounterRequest | LeaseRequest,
  caller: Caller,
  o: CounterOperationsOptions,
): Target {
  if (caller.pod && caller.namespace) {
    const own = { namespace: caller.namespace, name: caller.pod.name, uid: caller.pod.uid };
    const named = {
      namespace: request.namespace || own.namespace,
      name: request.podName || own.name,
    };
    if (named.name !== own.name || named.namespace !== own.namespace) {
      throw new PermissionDeniedError(
        `the token is bound to pod ${own.namespace}/${own.name}, not ${named.namespace}/${named.name}: a pod's token may count for that pod only`,
      );
    }
    return own;
  }
  if (!request.podName) {
    throw new ValidationError([{ field: "podName", description: "is required" }]);
  }
  return {
    namespace: request.namespace || caller.namespace || o.defaultNamespace,
    name: request.podName,
  };
}
