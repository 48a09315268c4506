import type {
  CounterRequest,
  CounterValue,
  PodCounterServiceImplementation,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import { PermissionDeniedError, type Auth, type Caller } from "../auth/Caller.js";
import type { PodCounter } from "../podcounter/PodCounter.js";
import { ValidationError } from "../watchers/errors.js";
import { dnsLabelProblem, dnsSubdomainProblem } from "../watchers/validate.js";
import type { CallerContext } from "./authMiddleware.js";

export interface PodCounterServiceOptions {
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
 * `podcounters.jobhooks.dev` in the pod's namespace (always granted with --auth=none).
 */
export function podCounterService(
  counter: PodCounter,
  o: PodCounterServiceOptions,
): PodCounterServiceImplementation<CallerContext> {
  async function count(req: CounterRequest, caller: Caller, delta: number): Promise<CounterValue> {
    const target = resolve(req, caller, o);
    // A pod counts for itself by its token alone; anyone else needs the RBAC right.
    if (!caller.pod) {
      await o.auth.authorize(caller, {
        verb: "update",
        resource: "podcounters",
        namespace: target.namespace,
      });
    }
    const value = await counter.apply({
      ...target,
      delta,
      ...(req.requestId && { requestId: req.requestId }),
    });
    return { namespace: target.namespace, podName: target.name, value };
  }
  return {
    increment: (req, { caller }) => count(req, caller, 1),
    decrement: (req, { caller }) => count(req, caller, -1),
    getCounter: (req, { caller }) => count(req, caller, 0),
  };
}

function resolve(req: CounterRequest, caller: Caller, o: PodCounterServiceOptions): Target {
  const target = targetOf(req, caller, o);
  const problems = [
    { field: "pod_name", description: dnsSubdomainProblem(target.name) },
    { field: "namespace", description: dnsLabelProblem(target.namespace, 63) },
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
function targetOf(req: CounterRequest, caller: Caller, o: PodCounterServiceOptions): Target {
  if (caller.pod && caller.namespace) {
    const own = { namespace: caller.namespace, name: caller.pod.name, uid: caller.pod.uid };
    const named = { namespace: req.namespace || own.namespace, name: req.podName || own.name };
    if (named.name !== own.name || named.namespace !== own.namespace) {
      throw new PermissionDeniedError(
        `the token is bound to pod ${own.namespace}/${own.name}, not ${named.namespace}/${named.name}: a pod's token may count for that pod only`,
      );
    }
    return own;
  }
  if (req.podName === "")
    throw new ValidationError([{ field: "pod_name", description: "is required" }]);
  return { namespace: req.namespace || caller.namespace || o.defaultNamespace, name: req.podName };
}
