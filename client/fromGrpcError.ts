import type { Status } from "nice-grpc-common";
import { domainFieldName } from "../contract/fields.js";
import { ApiError, type FieldViolation, type PreconditionViolation } from "../contract/errors.js";
import { codeOfStatus } from "../proto/codec/status.js";

// Duck-typed: ClientError may come from the ESM or the CommonJS build of nice-grpc-common.
interface GrpcErrorLike {
  code: Status;
  details: string;
  extra?: unknown[];
}

function isGrpcError(err: unknown): err is GrpcErrorLike {
  return (
    typeof err === "object" &&
    err !== null &&
    "code" in err &&
    "details" in err &&
    typeof err.code === "number"
  );
}

function detailsOf<V>(extra: unknown[], key: string): V[] {
  return extra.flatMap((d) =>
    typeof d === "object" && d !== null && key in d ? ((d as Record<string, V[]>)[key] ?? []) : [],
  );
}

/**
 * The ApiError for an error of a gRPC call: its code from the status, its field violations (from
 * google.rpc.BadRequest) back in the domain's names. Anything that is not a gRPC error is
 * returned as it is.
 */
export function fromGrpcError(err: unknown): unknown {
  if (!isGrpcError(err) || err instanceof ApiError) return err;
  const extra = err.extra ?? [];
  const violations: FieldViolation[] = detailsOf<FieldViolation>(extra, "fieldViolations").map(
    (v) => ({ field: domainFieldName(v.field, "proto"), description: v.description }),
  );
  // As the contract has them: without the $type nice-grpc-error-details' codecs add.
  const preconditions = detailsOf<PreconditionViolation>(extra, "violations").map(
    ({ type, subject, description }) => ({ type, subject, description }),
  );
  return new ApiError(codeOfStatus(err.code), err.details, violations, preconditions);
}
