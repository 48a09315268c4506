import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Http2Channel } from "./Http2Channel.js";
import { unaryAttempt } from "./unaryAttempt.js";

// grpc.health.v1 (grpc/src/proto/grpc/health/v1/health.proto), by hand: one string field in,
// one enum field out.
const CHECK_PATH = "/grpc.health.v1.Health/Check";
/** How long a readiness check waits for the controlplane's gRPC health answer. */
const HEALTH_TIMEOUT_MS = 2000;

/** HealthCheckResponse.ServingStatus, by number. */
export const SERVING_STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"] as const;
export const SERVING = 1;

export function encodeHealthCheckRequest(service: string): Uint8Array {
  const w = new BinaryWriter();
  if (service !== "") w.uint32(10).string(service);
  return w.finish();
}

export function decodeHealthCheckResponse(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let status = 0;
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    if (no === 1 && wireType === WireType.Varint) status = r.int32();
    else r.skip(wireType, no);
  }
  return status;
}

/**
 * Health/Check of `service` ("": the server as a whole), as nice-grpc's client made it: no
 * deadline, no retry; aborted by `signal`.
 */
export async function checkHealth(
  channel: Http2Channel,
  service: string,
  signal: AbortSignal,
): Promise<number> {
  const request = encodeHealthCheckRequest(service);
  return decodeHealthCheckResponse(
    await unaryAttempt(channel, { path: CHECK_PATH, request, signal }),
  );
}

/** The controlplane's readiness: true while its gRPC health is SERVING; else why not. */
export async function controlplaneReady(channel: Http2Channel): Promise<true | string> {
  const status = await checkHealth(channel, "", AbortSignal.timeout(HEALTH_TIMEOUT_MS));
  return status === SERVING ? true : `the controlplane is ${SERVING_STATUS[status]}`;
}
