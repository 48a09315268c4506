import { expect } from "chai";
import { BadRequest, PreconditionFailure } from "nice-grpc-error-details";
import { Status as RpcStatus } from "nice-grpc-error-details/lib/proto/google/rpc/status.js";
import { Any } from "nice-grpc-error-details/lib/proto/google/protobuf/any.js";
import { GrpcStatus } from "../../proto/codec/grpcStatus.js";
import { fromGrpcError } from "../fromGrpcError.js";
import { ApiError } from "../../contract/errors.js";
import { callStatus, decodeGrpcMessage, statusOfFields, statusOfHttp } from "./callStatus.js";
import { retryDelayMs, isIdempotent } from "./callPolicy.js";
import { decodeErrorDetails, decodeRpcStatus } from "./errorDetails.js";
import { LiteClientError } from "./errors.js";
import { frame, FrameError, unframe } from "./frames.js";
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from "./health.js";
import { authorityOf } from "./Http2Channel.js";
import { grpcTimeout } from "./unaryAttempt.js";

// The details the controlplane sends, encoded by nice-grpc-error-details' own codecs.
function statusDetailsBin(): string {
  const badRequest = BadRequest.fromPartial({
    fieldViolations: [{ field: "pod_name", description: "is required" }],
  });
  const precondition = PreconditionFailure.fromPartial({
    violations: [{ type: "ACTIVE", subject: "jobdonewatchers/w1", description: "not ended" }],
  });
  const status = RpcStatus.fromPartial({
    code: GrpcStatus.INVALID_ARGUMENT,
    message: "pod_name: is required",
    details: [
      Any.fromPartial({
        typeUrl: "type.googleapis.com/google.rpc.BadRequest",
        value: BadRequest.encode(badRequest).finish(),
      }),
      Any.fromPartial({
        typeUrl: "type.googleapis.com/google.rpc.PreconditionFailure",
        value: PreconditionFailure.encode(precondition).finish(),
      }),
      Any.fromPartial({ typeUrl: "type.googleapis.com/x.Unknown", value: Buffer.from([8, 1]) }),
    ],
  });
  return Buffer.from(RpcStatus.encode(status).finish()).toString("base64");
}

describe("client/lite decoding", () => {
  describe("frames", () => {
    it("prefixes a message with its flag and length, and reads a body of several back", () => {
      const framed = frame(Buffer.from("abc"));
      expect([...framed]).to.deep.equal([0, 0, 0, 0, 3, 97, 98, 99]);
      const body = Buffer.concat([framed, frame(new Uint8Array()), frame(Buffer.from("z"))]);
      expect(unframe(body).map((m) => m.toString())).to.deep.equal(["abc", "", "z"]);
      expect(unframe(Buffer.alloc(0))).to.deep.equal([]);
    });

    it("refuses truncated, compressed and oversized messages", () => {
      expect(() => unframe(Buffer.from([0, 0, 0]))).to.throw(FrameError, /prefix/);
      expect(() => unframe(Buffer.from([0, 0, 0, 0, 5, 1]))).to.throw(FrameError, /truncated/);
      expect(() => unframe(Buffer.from([1, 0, 0, 0, 0]))).to.throw(FrameError, /compressed/);
      expect(() => unframe(frame(Buffer.alloc(10)), 9)).to.throw(FrameError, /10 bytes/);
    });
  });

  describe("status", () => {
    it("reads grpc-status and the percent-encoded grpc-message of trailers", () => {
      const s = statusOfFields({
        "grpc-status": "5",
        "grpc-message": "no%20such%20pod%3A%20%E2%9C%93",
      });
      expect(s).to.deep.equal({ code: GrpcStatus.NOT_FOUND, details: "no such pod: ✓", extra: [] });
      expect(decodeGrpcMessage("100%")).to.equal("100%");
      expect(statusOfFields({ ":status": "200" })).to.equal(undefined);
      expect(statusOfFields({ "grpc-status": "99" })?.code).to.equal(GrpcStatus.UNKNOWN);
    });

    it("takes trailers first, then the headers of a trailers-only answer, then the HTTP status", () => {
      const headers = { ":status": "200", "grpc-status": "14", "grpc-message": "down" };
      expect(callStatus(headers, undefined).code).to.equal(GrpcStatus.UNAVAILABLE);
      expect(callStatus(headers, { "grpc-status": "0" }).code).to.equal(GrpcStatus.OK);
      expect(callStatus({ ":status": "503" }, undefined).code).to.equal(GrpcStatus.UNAVAILABLE);
      expect(callStatus({ ":status": "404" }, undefined).code).to.equal(GrpcStatus.UNIMPLEMENTED);
      expect(callStatus({ ":status": "200" }, undefined)).to.deep.include({
        code: GrpcStatus.UNKNOWN,
        details: "No status received",
      });
      expect(statusOfHttp(418).code).to.equal(GrpcStatus.UNKNOWN);
    });

    it("decodes grpc-status-details-bin's BadRequest and PreconditionFailure as nice-grpc-error-details does", () => {
      const bin = statusDetailsBin();
      const rpc = decodeRpcStatus(Buffer.from(bin, "base64"));
      expect(rpc).to.deep.include({ code: 3, message: "pod_name: is required" });
      const extra = decodeErrorDetails(Buffer.from(bin, "base64"));
      expect(extra[0]).to.deep.equal({
        fieldViolations: [{ field: "pod_name", description: "is required" }],
      });
      expect(extra[1]).to.deep.equal({
        violations: [{ type: "ACTIVE", subject: "jobdonewatchers/w1", description: "not ended" }],
      });
      expect(extra[2]).to.deep.include({ typeUrl: "type.googleapis.com/x.Unknown" });
      // Unpadded base64, as some servers send it, and garbage (no details, not an error).
      const s = statusOfFields({
        "grpc-status": "3",
        "grpc-status-details-bin": bin.replace(/=+$/, ""),
      });
      expect(s?.extra).to.have.length(3);
      expect(
        statusOfFields({ "grpc-status": "3", "grpc-status-details-bin": "/////" })?.extra,
      ).to.deep.equal([]);
    });

    it("gives fromGrpcError what it needs for the same ApiError", () => {
      const s = statusOfFields({
        "grpc-status": "3",
        "grpc-message": "bad",
        "grpc-status-details-bin": statusDetailsBin(),
      });
      if (!s) throw new Error("no status");
      const err = fromGrpcError(new LiteClientError("/p/M", s.code, s.details, s.extra));
      if (!(err instanceof ApiError)) throw new Error("not an ApiError");
      const { code, message, violations, preconditions } = err;
      expect({ code, message, violations, preconditions }).to.deep.equal({
        code: "invalid-argument",
        message: "bad",
        violations: [{ field: "podName", description: "is required" }],
        preconditions: [
          { type: "ACTIVE", subject: "jobdonewatchers/w1", description: "not ended" },
        ],
      });
      expect(new LiteClientError("/p/M", GrpcStatus.UNAVAILABLE, "down").message).to.equal(
        "/p/M UNAVAILABLE: down",
      );
    });
  });

  describe("call policy", () => {
    it("retries idempotent methods by default; backs off 100 ms doubling to 1 s, half jittered", () => {
      expect(isIdempotent("NO_SIDE_EFFECTS")).to.equal(true);
      expect(isIdempotent("IDEMPOTENT")).to.equal(true);
      expect(isIdempotent(undefined)).to.equal(false);
      const p = { retry: true, retryMaxAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 1000 };
      expect([0, 1, 2, 3, 4].map((n) => retryDelayMs(p, n, 0))).to.deep.equal([
        50, 100, 200, 400, 500,
      ]);
      expect([0, 4].map((n) => retryDelayMs(p, n, 1))).to.deep.equal([100, 1000]);
    });

    it("writes grpc-timeout in at most 8 digits", () => {
      expect(grpcTimeout(5000)).to.equal("5000m");
      expect(grpcTimeout(0.2)).to.equal("1m");
      expect(grpcTimeout(1e9)).to.equal("1000000S");
    });

    it("connects to HOST:PORT, [V6]:PORT, dns:///HOST:PORT and unix:PATH", () => {
      expect(authorityOf("cp.jobhooks.svc:9090").url).to.equal("http://cp.jobhooks.svc:9090");
      expect(authorityOf("[::1]:9090").url).to.equal("http://[::1]:9090");
      expect(authorityOf("dns:///cp:9090").url).to.equal("http://cp:9090");
      expect(authorityOf("unix:/run/cp.sock").socketPath).to.equal("/run/cp.sock");
    });
  });

  it("encodes and decodes grpc.health.v1 Check", () => {
    expect([...encodeHealthCheckRequest("")]).to.deep.equal([]);
    expect([...encodeHealthCheckRequest("a")]).to.deep.equal([10, 1, 97]);
    expect(decodeHealthCheckResponse(new Uint8Array([8, 2]))).to.equal(2);
    expect(decodeHealthCheckResponse(new Uint8Array())).to.equal(0);
  });
});
