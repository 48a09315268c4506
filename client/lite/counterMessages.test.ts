import { expect } from "chai";
import {
  CounterRequest,
  CounterValue,
  LeaseRequest,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import { decodeCounterValue, encodeCounterRequest, encodeLeaseRequest } from "./counterMessages.js";

const bytes = (b: Uint8Array): number[] => [...b];

describe("client/lite's pod counter messages, against the generated code", () => {
  it("encodes CounterRequest and LeaseRequest byte for byte", () => {
    const requests = [
      { podName: "", namespace: "", requestId: "", ttlSeconds: 0 },
      { podName: "p", namespace: "", requestId: "", ttlSeconds: 0 },
      { podName: "", namespace: "ns", requestId: "", ttlSeconds: 30 },
      { podName: "pod-ü", namespace: "ns", requestId: "4f0c-id", ttlSeconds: 2 ** 32 - 1 },
      { podName: "x".repeat(300), namespace: "n", requestId: "r", ttlSeconds: 1 },
    ];
    for (const r of requests) {
      expect(bytes(encodeCounterRequest(r))).to.deep.equal(
        bytes(CounterRequest.encode(r).finish()),
      );
      const lease = {
        podName: r.podName,
        namespace: r.namespace,
        leaseId: r.requestId,
        ttlSeconds: r.ttlSeconds,
      };
      expect(bytes(encodeLeaseRequest(lease))).to.deep.equal(
        bytes(LeaseRequest.encode(lease).finish()),
      );
    }
  });

  it("decodes CounterValue as the generated code does", () => {
    const values = [
      { namespace: "", podName: "", value: 0, lease: undefined, released: 0 },
      { namespace: "ns", podName: "p", value: 3, lease: undefined, released: 0 },
      { namespace: "ns", podName: "p", value: -2, lease: undefined, released: 1 },
      {
        namespace: "ns",
        podName: "p",
        value: Number.MAX_SAFE_INTEGER,
        lease: { id: "l1", expiresAt: "2026-01-01T00:00:00Z" },
        released: 0,
      },
      { namespace: "ns", podName: "p", value: 1, lease: { id: "", expiresAt: "" }, released: 7 },
    ];
    for (const v of values) {
      const encoded = CounterValue.encode(v).finish();
      expect(decodeCounterValue(encoded)).to.deep.equal(CounterValue.decode(encoded));
    }
  });

  it("skips fields it does not know, as the generated code does", () => {
    // Field 9 (a string), field 3 with the wrong wire type (a string), then value and released.
    const encoded = Uint8Array.from([0x4a, 1, 0x41, 0x1a, 1, 0x42, 0x18, 5, 0x28, 2]);
    expect(decodeCounterValue(encoded)).to.deep.equal(CounterValue.decode(encoded));
  });

  it("refuses a value beyond the safe integers with the generated code's message", () => {
    const encoded = CounterValue.encode({
      namespace: "",
      podName: "",
      value: 0,
      lease: undefined,
      released: 0,
    }).finish();
    const big = Uint8Array.from([...encoded, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    expect(() => decodeCounterValue(big)).to.throw(/MAX_SAFE_INTEGER/);
    expect(() => CounterValue.decode(big)).to.throw(/MAX_SAFE_INTEGER/);
  });
});
