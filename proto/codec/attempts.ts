import type {
  AttemptOutcome as DomainOutcome,
  DeliveryAttempt as DomainAttempt,
  ErrorClass,
  Page,
} from "../../contract/model.js";
import {
  AttemptErrorClass,
  AttemptOutcome,
  type DeliveryAttempt,
  type ListDeliveryAttemptsResponse,
} from "../gen/jobhooks/v1/watchers.js";
import { enumCodec } from "./enumCodec.js";

/** The attempt log between the contract's shapes and their protobuf messages. */

// The contract's names are the enums' keys in lower case: egress_denied is EGRESS_DENIED.
const errorClass = enumCodec(AttemptErrorClass);
const outcome = enumCodec(AttemptOutcome);

export function attemptToProto(a: DomainAttempt): DeliveryAttempt {
  return {
    id: a.id,
    deliveryId: a.deliveryId,
    triggerId: a.triggerId,
    watcherId: a.watcherId,
    webhookId: a.webhookId,
    startedAt: a.startedAt,
    durationMs: a.durationMs,
    host: a.host,
    statusCode: a.statusCode,
    errorClass: a.errorClass
      ? (errorClass.value(a.errorClass.toUpperCase()) ?? AttemptErrorClass.NETWORK)
      : AttemptErrorClass.UNSPECIFIED,
    error: a.error,
    responseBody: a.responseBody,
    responseHeaders: { ...a.responseHeaders },
    outcome: outcome.value(a.outcome.toUpperCase()) ?? AttemptOutcome.UNSPECIFIED,
    nextAttemptAt: a.nextAttemptAt,
    redelivery: a.redelivery,
  };
}

export function attemptFromProto(a: DeliveryAttempt): DomainAttempt {
  return {
    id: a.id,
    deliveryId: a.deliveryId,
    triggerId: a.triggerId,
    watcherId: a.watcherId,
    webhookId: a.webhookId,
    startedAt: a.startedAt ?? new Date(0),
    durationMs: a.durationMs,
    host: a.host,
    statusCode: a.statusCode,
    errorClass: errorClass.name(a.errorClass)?.toLowerCase() as ErrorClass | undefined,
    error: a.error,
    responseBody: a.responseBody,
    responseHeaders: { ...a.responseHeaders },
    outcome: (outcome.name(a.outcome)?.toLowerCase() ?? "retry") as DomainOutcome,
    nextAttemptAt: a.nextAttemptAt,
    redelivery: a.redelivery,
  };
}

export function attemptPageToProto(p: Page<DomainAttempt>): ListDeliveryAttemptsResponse {
  return { attempts: p.items.map(attemptToProto), nextPageToken: p.nextPageToken };
}

export function attemptPageFromProto(r: ListDeliveryAttemptsResponse): Page<DomainAttempt> {
  return { items: r.attempts.map(attemptFromProto), nextPageToken: r.nextPageToken };
}
