import type { CounterRequest, CounterValue } from "../../contract/model.js";
import type {
  CounterRequest as ProtoCounterRequest,
  CounterValue as ProtoCounterValue,
} from "../gen/jobhooks/v1/podcounter.js";

/** The pod counter between the contract's shapes and their protobuf messages. */

export function counterRequestToProto(r: CounterRequest): ProtoCounterRequest {
  return { podName: r.podName ?? "", namespace: r.namespace ?? "", requestId: r.requestId ?? "" };
}

export function counterRequestFromProto(r: ProtoCounterRequest): CounterRequest {
  return {
    podName: r.podName || undefined,
    namespace: r.namespace || undefined,
    requestId: r.requestId || undefined,
  };
}

export function counterValueToProto(v: CounterValue): ProtoCounterValue {
  return { namespace: v.namespace, podName: v.podName, value: v.value };
}

export function counterValueFromProto(v: ProtoCounterValue): CounterValue {
  return { namespace: v.namespace, podName: v.podName, value: v.value };
}
