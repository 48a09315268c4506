import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

// jobhooks.v1's pod counter messages (proto/jobhooks/v1/podcounter.proto), by hand: the sidecar
// calls only these, and the generated code of every message (with its JSON and partial forms)
// costs it memory in every pod. counterMessages.test.ts checks them against the generated code.

/** CounterRequest and LeaseRequest: the proto's defaults ("" and 0) for fields not set. */
export interface CounterRequestMessage {
  podName: string;
  namespace: string;
  requestId: string;
  ttlSeconds: number;
}

export interface LeaseRequestMessage {
  podName: string;
  namespace: string;
  leaseId: string;
  ttlSeconds: number;
}

export interface CounterValueMessage {
  namespace: string;
  podName: string;
  value: number;
  lease: { id: string; expiresAt: string } | undefined;
  released: number;
}

// Both requests: three strings (fields 1-3) and a uint32 (4), each written unless the default.
function encodeRequest(strings: string[], ttlSeconds: number): Uint8Array {
  const w = new BinaryWriter();
  strings.forEach((s, i) => {
    if (s !== "") w.uint32(((i + 1) << 3) | 2).string(s);
  });
  if (ttlSeconds !== 0) w.uint32(32).uint32(ttlSeconds);
  return w.finish();
}

export function encodeCounterRequest(m: CounterRequestMessage): Uint8Array {
  return encodeRequest([m.podName, m.namespace, m.requestId], m.ttlSeconds);
}

export function encodeLeaseRequest(m: LeaseRequestMessage): Uint8Array {
  return encodeRequest([m.podName, m.namespace, m.leaseId], m.ttlSeconds);
}

/** Each field's reader by its tag (field number and wire type); other fields are skipped. */
function readMessage(r: BinaryReader, end: number, fields: Record<number, () => void>): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const read = fields[tag];
    if (read) read();
    else if ((tag & 7) === 4 || tag === 0) break;
    // The tag's low 3 bits are its wire type, a WireType's number; skip() refuses one it lacks.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    else r.skip(tag & 7);
  }
}

function decodeLease(r: BinaryReader, length: number): { id: string; expiresAt: string } {
  const lease = { id: "", expiresAt: "" };
  readMessage(r, r.pos + length, {
    10: () => (lease.id = r.string()),
    18: () => (lease.expiresAt = r.string()),
  });
  return lease;
}

/** An int64 as a number, refused beyond the safe integers with the generated code's words. */
function safeNumber(int64: string): number {
  const n = Number(int64);
  if (n > Number.MAX_SAFE_INTEGER) throw new Error("Value is larger than Number.MAX_SAFE_INTEGER");
  if (n < Number.MIN_SAFE_INTEGER) throw new Error("Value is smaller than Number.MIN_SAFE_INTEGER");
  return n;
}

export function decodeCounterValue(bytes: Uint8Array): CounterValueMessage {
  const r = new BinaryReader(bytes);
  const v: CounterValueMessage = {
    namespace: "",
    podName: "",
    value: 0,
    lease: undefined,
    released: 0,
  };
  readMessage(r, r.len, {
    10: () => (v.namespace = r.string()),
    18: () => (v.podName = r.string()),
    24: () => (v.value = safeNumber(r.int64().toString())),
    34: () => (v.lease = decodeLease(r, r.uint32())),
    40: () => (v.released = r.uint32()),
  });
  return v;
}
