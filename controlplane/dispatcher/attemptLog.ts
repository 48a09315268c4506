import { ErrorClass } from "../../contract/model.js";
import type { AttemptLogEntry } from "../store/WatcherRepo.js";
import type { Delivery } from "../watchers/model.js";
import { hostOf } from "./attemptDelivery.js";
import type { AttemptResult } from "./sendAttempt.js";

/** What the attempt log says of one attempt, decided with its outcome (decideAttempt). */
export function attemptLogEntry(
  d: Delivery,
  r: Exclude<AttemptResult, { kind: "aborted" }>,
  step: { outcome: AttemptLogEntry["outcome"]; retryAt?: Date; calledAt: Date },
): AttemptLogEntry {
  const status = "status" in r && r.status !== undefined && r.status > 0 ? r.status : undefined;
  return {
    deliveryId: d.id,
    triggerId: d.triggerId,
    watcherId: d.watcherId,
    webhookId: d.webhookId,
    startedAt: step.calledAt,
    durationMs: r.durationMs,
    host: r.host ?? hostOf(d.url),
    statusCode: status,
    errorClass: r.kind === "delivered" ? undefined : classOf(r, status),
    error: r.kind === "delivered" ? "" : r.error,
    responseBody: r.responsePrefix ?? "",
    responseHeaders: r.responseHeaders ?? {},
    outcome: step.outcome,
    nextAttemptAt: step.retryAt,
    redelivery: d.redelivery === true,
  };
}

// A result made without one (a test's, an older path's) is classed by what it carries.
function classOf(r: { errorClass?: ErrorClass }, status: number | undefined): ErrorClass {
  return r.errorClass ?? (status === undefined ? ErrorClass.NETWORK : ErrorClass.HTTP);
}
