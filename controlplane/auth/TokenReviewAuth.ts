import { UnavailableError } from "../../contract/errors.js";
import type * as k8s from "@kubernetes/client-node";
import { createHash } from "node:crypto";
import type { KubeApi } from "../kube/KubeApi.js";
import { TtlCache } from "../../common/TtlCache.js";
import {
  ANONYMOUS,
  AuthenticationError,
  PermissionDeniedError,
  callerFrom,
  type Access,
  type Auth,
  type Caller,
} from "./Caller.js";

/** The API group RBAC rules name for jobhooks' resources. */
export const API_GROUP = "jobhooks.dev";

export interface TokenReviewAuthOptions {
  /** Audiences a token must carry; default ["jobhooks"]. */
  audiences: string[];
  /**
   * A request without a token is system:anonymous (group system:unauthenticated), and RBAC
   * decides what it may do, as kube-apiserver's --anonymous-auth; else it is refused (401).
   */
  anonymous?: boolean;
  /** Longest reuse of a token's review; never past the token's own expiry. Default 60 s. */
  tokenTtlMs?: number;
  /** Reuse of an access decision. Default 10 s. */
  decisionTtlMs?: number;
}

/** The apiserver answered no review at all: the caller is not at fault (UNAVAILABLE). */
export class ReviewUnavailableError extends UnavailableError {}

/**
 * Callers are who the apiserver says their bearer token belongs to (TokenReview), and may do
 * what RBAC allows them on the jobhooks.dev resources (SubjectAccessReview).
 */
export class TokenReviewAuth implements Auth {
  private readonly callers = new TtlCache<Caller | string>(10_000);
  private readonly decisions = new TtlCache<string>(10_000);
  private readonly inFlight = new Map<string, Promise<Caller | string>>();

  // Each review is bound by the KubeApi's request timeout: a stalled apiserver is UNAVAILABLE.
  constructor(
    private readonly api: KubeApi,
    private readonly o: TokenReviewAuthOptions,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Caller> {
    if (authorization === undefined || authorization === "") {
      if (this.o.anonymous) return ANONYMOUS;
      throw new AuthenticationError(
        `a bearer token is required: Authorization: Bearer <token>, with audience ${this.o.audiences.join(" or ")}`,
      );
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) throw new AuthenticationError("the Authorization header must be Bearer <token>");
    const key = createHash("sha256").update(token).digest("hex");
    let result = this.callers.get(key);
    if (result === undefined) {
      let pending = this.inFlight.get(key);
      if (!pending) {
        pending = this.review(token, key).finally(() => this.inFlight.delete(key));
        this.inFlight.set(key, pending);
      }
      result = await pending;
    }
    if (typeof result === "string")
      throw new AuthenticationError(`the token was not accepted: ${result}`);
    return result;
  }

  async authorize(caller: Caller, access: Access): Promise<void> {
    const key = JSON.stringify([caller.username, caller.uid, caller.groups, access]);
    let denial = this.decisions.get(key);
    if (denial === undefined) {
      denial = await this.accessReview(caller, access);
      this.decisions.set(key, denial, this.o.decisionTtlMs ?? 10_000);
    }
    if (denial !== "") throw new PermissionDeniedError(denial);
  }

  private async review(token: string, key: string): Promise<Caller | string> {
    let status: k8s.V1TokenReviewStatus | undefined;
    try {
      ({ status } = await this.api.request<k8s.V1TokenReview>({
        method: "POST",
        path: "/apis/authentication.k8s.io/v1/tokenreviews",
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenReview",
          spec: { token, audiences: this.o.audiences },
        },
      }));
    } catch (err) {
      throw new ReviewUnavailableError(`TokenReview failed: ${(err as Error).message}`);
    }
    if (!status?.authenticated || !status.user) {
      // Briefly, so a client retrying a bad token does not turn into a review per request.
      const reason = status?.error ?? "not authenticated";
      this.callers.set(key, reason, 5000);
      return reason;
    }
    const caller = callerFrom(status.user);
    this.callers.set(key, caller, Math.min(this.o.tokenTtlMs ?? 60_000, msUntilExpiry(token)));
    return caller;
  }

  // "" when allowed, else why not.
  private async accessReview(caller: Caller, access: Access): Promise<string> {
    let status: k8s.V1SubjectAccessReviewStatus | undefined;
    try {
      ({ status } = await this.api.request<k8s.V1SubjectAccessReview>({
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: caller.username,
            uid: caller.uid,
            groups: caller.groups,
            extra: caller.extra,
            resourceAttributes: {
              group: API_GROUP,
              resource: access.resource,
              verb: access.verb,
              namespace: access.namespace,
            },
          },
        },
      }));
    } catch (err) {
      throw new ReviewUnavailableError(`SubjectAccessReview failed: ${(err as Error).message}`);
    }
    if (status?.allowed) return "";
    const where = access.namespace
      ? ` in namespace ${access.namespace}`
      : access.resource === "webhooks"
        ? ""
        : " in every namespace";
    const rbac = `RBAC has no rule granting ${access.verb} on ${access.resource}.${API_GROUP}`;
    return `${caller.username} may not ${access.verb} ${access.resource}${where}: ${status?.reason || rbac}`;
  }
}

// A JWT's exp claim, without trusting it for anything but how long to remember the review.
function msUntilExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
      exp?: unknown;
    };
    if (typeof payload.exp === "number") return payload.exp * 1000 - Date.now();
  } catch {
    // not a JWT: the TTL alone bounds it
  }
  return Number.POSITIVE_INFINITY;
}
