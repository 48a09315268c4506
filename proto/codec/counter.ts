import type { CounterRequest, CounterValue, LeaseRequest } from "../../contract/model.js";
import type {
  CounterRequest as ProtoCounterRequest,
  CounterValue as ProtoCounterValue,
  LeaseRequest as ProtoLeaseRequest,
} from "../gen/jobhooks/v1/podcounter.js";

/** The pod counter between the contract's shapes and their protobuf messages. */

export function counterRequestToProto(r: CounterRequest): ProtoCounterRequest {
  return {
    podName: r.podName ?? "",
    namespace: r.namespace ?? "",
    requestId: r.requestId ?? "",
    ttlSeconds: r.ttlSeconds ?? 0,
  };
}

export function counterRequestFromProto(r: ProtoCounterRequest): CounterRequest {
  return {
    podName: r.podName || undefined,
    namespace: r.namespace || undefined,
    requestId: r.requestId || undefined,
    ttlSeconds: r.ttlSeconds || undefined,
  };
}

export function leaseRequestToProto(r: LeaseRequest): ProtoLeaseRequest {
  return {
    podName: r.podName ?? "",
    namespace: r.namespace ?? "",
    leaseId: r.leaseId,
    ttlSeconds: r.ttlSeconds ?? 0,
  };
}

export function leaseRequestFromProto(r: ProtoLeaseRequest): LeaseRequest {
  return {
    podName: r.podName || undefined,
    namespace: r.namespace || undefined,
    leaseId: r.leaseId,
    ttlSeconds: r.ttlSeconds || undefined,
  };
}

export function counterValueToProto(v: CounterValue): ProtoCounterValue {
  return {
    namespace: v.namespace,
    podName: v.podName,
    value: v.value,
    lease: v.lease,
    released: v.released ?? 0,
  };
}

export function counterValueFromProto(v: ProtoCounterValue): CounterValue {
  return {
    namespace: v.namespace,
    podName: v.podName,
    value: v.value,
    ...(v.lease && { lease: { id: v.lease.id, expiresAt: v.lease.expiresAt } }),
    ...(v.released > 0 && { released: v.released }),
  };
}
