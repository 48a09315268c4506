import { BinaryReader } from "@bufbuild/protobuf/wire";

// google.rpc.Status and the error details the controlplane sends (googleapis'
// google/rpc/status.proto, error_details.proto), decoded by hand: nice-grpc-error-details' codecs
// come with nice-grpc.

/** A google.protobuf.Any: what a detail of an unknown type stays. */
export interface AnyDetail {
  typeUrl: string;
  value: Uint8Array;
}

/** The decoded google.rpc.Status of grpc-status-details-bin. */
export interface RpcStatus {
  code: number;
  message: string;
  details: AnyDetail[];
}

type Fields = Record<number, (r: BinaryReader) => void>;

// Reads a message's fields, skipping those not listed.
function readFields(bytes: Uint8Array, fields: (r: BinaryReader) => Fields): void {
  const r = new BinaryReader(bytes);
  const read = fields(r);
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    const f = read[no];
    if (f) f(r);
    else r.skip(wireType, no);
  }
}

function decodeAny(bytes: Uint8Array): AnyDetail {
  const any: AnyDetail = { typeUrl: "", value: new Uint8Array() };
  readFields(bytes, (r) => ({
    1: () => (any.typeUrl = r.string()),
    2: () => (any.value = r.bytes()),
  }));
  return any;
}

export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const status: RpcStatus = { code: 0, message: "", details: [] };
  readFields(bytes, (r) => ({
    1: () => (status.code = r.int32()),
    2: () => (status.message = r.string()),
    3: () => status.details.push(decodeAny(r.bytes())),
  }));
  return status;
}

/** A message of string fields, by field number. */
function decodeStrings<K extends string>(
  bytes: Uint8Array,
  names: Record<number, K>,
): Record<K, string> {
  const out = Object.fromEntries(Object.values<K>(names).map((k) => [k, ""])) as Record<K, string>;
  readFields(bytes, (r) =>
    Object.fromEntries(Object.entries(names).map(([no, k]) => [no, () => (out[k] = r.string())])),
  );
  return out;
}

/** google.rpc.BadRequest: { fieldViolations: [{ field, description, reason, localizedMessage… }] } */
function decodeBadRequest(bytes: Uint8Array): { fieldViolations: Record<string, string>[] } {
  const fieldViolations: Record<string, string>[] = [];
  readFields(bytes, (r) => ({
    1: () => fieldViolations.push(decodeStrings(r.bytes(), { 1: "field", 2: "description" })),
  }));
  return { fieldViolations };
}

/** google.rpc.PreconditionFailure: { violations: [{ type, subject, description }] } */
function decodePreconditionFailure(bytes: Uint8Array): { violations: Record<string, string>[] } {
  const violations: Record<string, string>[] = [];
  readFields(bytes, (r) => ({
    1: () =>
      violations.push(decodeStrings(r.bytes(), { 1: "type", 2: "subject", 3: "description" })),
  }));
  return { violations };
}

const DECODERS: Record<string, (bytes: Uint8Array) => unknown> = {
  "google.rpc.BadRequest": decodeBadRequest,
  "google.rpc.PreconditionFailure": decodePreconditionFailure,
};

/**
 * The details of grpc-status-details-bin, as nice-grpc-error-details gives them (its `extra`):
 * BadRequest and PreconditionFailure decoded, any other detail as its Any.
 */
export function decodeErrorDetails(statusBytes: Uint8Array): unknown[] {
  return decodeRpcStatus(statusBytes).details.map((any) => {
    const type = any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
    const decode = DECODERS[type];
    return decode ? decode(any.value) : any;
  });
}
