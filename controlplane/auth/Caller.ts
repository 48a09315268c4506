/** Who is calling the controlplane, as the apiserver vouches for it (TokenReview). */
export interface Caller {
  username: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
  /** The namespace of a ServiceAccount caller (system:serviceaccount:NS:NAME). */
  namespace: string | undefined;
  /** Set when the token is bound to a pod (a projected ServiceAccount token). */
  pod: { name: string; uid: string } | undefined;
}

/** A caller without a token, as Kubernetes names one: everyone with --auth=none. */
export const ANONYMOUS: Caller = {
  username: "system:anonymous",
  uid: "",
  groups: ["system:unauthenticated"],
  extra: {},
  namespace: undefined,
  pod: undefined,
};

/** A right on one of jobhooks' API resources, as RBAC names it (group jobhooks.dev). */
export interface Access {
  verb: "create" | "get" | "list" | "delete" | "update";
  resource: "webhooks" | "jobdonewatchers" | "podcounters";
  /** Undefined for cluster-scoped resources and for every namespace. */
  namespace?: string;
}

/** How the controlplane decides who may do what. */
export interface Auth {
  /** The caller of a request with this Authorization header value (maybe undefined). */
  authenticate(authorization: string | undefined): Promise<Caller>;
  /** Throws PermissionDeniedError unless the caller has the right. */
  authorize(caller: Caller, access: Access): Promise<void>;
}

export { AuthenticationError, PermissionDeniedError } from "../../contract/errors.js";

export function callerFrom(user: {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}): Caller {
  const username = user.username ?? "";
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(username);
  const extra = user.extra ?? {};
  const podName = extra["authentication.kubernetes.io/pod-name"]?.[0];
  const podUid = extra["authentication.kubernetes.io/pod-uid"]?.[0];
  return {
    username,
    uid: user.uid ?? "",
    groups: user.groups ?? [],
    extra,
    namespace: sa?.[1],
    pod: podName && podUid ? { name: podName, uid: podUid } : undefined,
  };
}
