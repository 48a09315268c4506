import type { V1Pod } from "@kubernetes/client-node";
import { diff } from "./jsonPatch.js";
import {
  injectionProblem,
  injectSidecar,
  wantsInjection,
  type SidecarConfig,
} from "./injectSidecar.js";

/** The AdmissionReview is not one the injector can answer: a 400 to the apiserver. */
export class AdmissionInputError extends Error {}

interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; kind?: string };
  operation?: string;
  subResource?: string;
  object?: unknown;
}

/** admission.k8s.io/v1 AdmissionReview with the response the apiserver applies. */
export interface AdmissionReviewResponse {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  response: {
    uid: string;
    allowed: boolean;
    patchType?: "JSONPatch";
    /** Base64 of the JSON Patch. */
    patch?: string;
    /** Why the pod is refused, when it is. */
    status?: { code: number; message: string };
  };
}

export type AdmissionOutcome =
  "injected" | "already-injected" | "not-asked" | "not-a-pod-create" | "refused";

/**
 * The injector's decision for one AdmissionReview: the sidecar patch for a pod being created
 * that asks for it, else an empty "allowed". A pod that asks for the sidecar but cannot run it
 * (see injectionProblem) is refused with the reason, rather than created without it.
 */
export function admit(
  review: unknown,
  c: SidecarConfig,
): { review: AdmissionReviewResponse; outcome: AdmissionOutcome } {
  const request = requestOf(review);
  const reply = (
    outcome: AdmissionOutcome,
    response: Partial<AdmissionReviewResponse["response"]> = {},
  ): { review: AdmissionReviewResponse; outcome: AdmissionOutcome } => ({
    review: {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: request.uid, allowed: true, ...response },
    },
    outcome,
  });
  if (!isPodCreate(request)) return reply("not-a-pod-create");
  const pod = request.object as V1Pod;
  if (!wantsInjection(pod)) return reply("not-asked");
  const problem = injectionProblem(pod, c);
  if (problem) return reply("refused", { allowed: false, status: { code: 400, message: problem } });
  const patch = diff(pod, injectSidecar(pod, c));
  if (patch.length === 0) return reply("already-injected");
  const encoded = Buffer.from(JSON.stringify(patch)).toString("base64");
  return reply("injected", { patchType: "JSONPatch", patch: encoded });
}

function isPodCreate(request: AdmissionRequest): boolean {
  return (
    request.kind?.group === "" &&
    request.kind.kind === "Pod" &&
    request.operation === "CREATE" &&
    !request.subResource &&
    typeof request.object === "object" &&
    request.object !== null
  );
}

function requestOf(review: unknown): AdmissionRequest {
  const r = review as { apiVersion?: unknown; kind?: unknown; request?: { uid?: unknown } };
  if (typeof review !== "object" || review === null || r.kind !== "AdmissionReview") {
    throw new AdmissionInputError("the body is not an AdmissionReview");
  }
  if (r.apiVersion !== "admission.k8s.io/v1") {
    throw new AdmissionInputError(
      `AdmissionReview ${String(r.apiVersion)} is not supported; configure admissionReviewVersions: [v1]`,
    );
  }
  if (typeof r.request?.uid !== "string" || r.request.uid === "") {
    throw new AdmissionInputError("the AdmissionReview has no request.uid");
  }
  return r.request as AdmissionRequest;
}
