import { Status } from "nice-grpc-common";
import { problemFromGrpc, type FieldError, type Problem } from "./problem.js";

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

/** The Problem for an error of a controlplane call, or undefined when it is not a gRPC error. */
export function problemOf(err: unknown): Problem | undefined {
  if (!isGrpcError(err)) return undefined;
  const fields: FieldError[] = [];
  for (const detail of err.extra ?? []) {
    if (typeof detail === "object" && detail !== null && "fieldViolations" in detail) {
      const violations = (detail as { fieldViolations: { field: string; description: string }[] })
        .fieldViolations;
      fields.push(...violations.map((v) => ({ field: v.field, message: v.description })));
    }
  }
  return problemFromGrpc(err.code, err.details, fields);
}
