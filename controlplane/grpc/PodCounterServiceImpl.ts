import type { CounterOperations } from "../../contract/JobhooksApi.js";
import type { CounterDelta } from "../../contract/model.js";
import {
  counterRequestFromProto,
  counterValueToProto,
  leaseRequestFromProto,
} from "../../proto/codec/counter.js";
import type {
  CounterRequest,
  CounterValue,
  PodCounterServiceImplementation,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import type { Caller } from "../auth/Caller.js";
import type { CallerContext } from "./authMiddleware.js";

/**
 * The pod counter over gRPC: Increment, Decrement and GetCounter are one count by +1, -1, 0; the
 * lease calls and ForceRelease map one to one.
 */
export function podCounterService(
  counter: CounterOperations<Caller>,
): PodCounterServiceImplementation<CallerContext> {
  const count = async (
    req: CounterRequest,
    caller: Caller,
    delta: CounterDelta,
  ): Promise<CounterValue> =>
    counterValueToProto(await counter.count(caller, counterRequestFromProto(req), delta));
  return {
    increment: (req, { caller }) => count(req, caller, 1),
    decrement: (req, { caller }) => count(req, caller, -1),
    getCounter: (req, { caller }) => count(req, caller, 0),
    renewLease: async (req, { caller }) =>
      counterValueToProto(await counter.renewLease(caller, leaseRequestFromProto(req))),
    releaseLease: async (req, { caller }) =>
      counterValueToProto(await counter.releaseLease(caller, leaseRequestFromProto(req))),
    forceRelease: async (req, { caller }) =>
      counterValueToProto(await counter.forceRelease(caller, counterRequestFromProto(req))),
  };
}
