/**
 * gRPC's length-prefixed messages (grpc/doc/PROTOCOL-HTTP2.md): a compressed flag (0: we ask for
 * no compression), a 4-byte big-endian length, the message.
 */
const PREFIX_BYTES = 5;

/** grpc-js's default limit for a received message. */
export const MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/** One message, framed. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  out.set(message, PREFIX_BYTES);
  return out;
}

/** Why a response body is not a sequence of messages; the call's status is INTERNAL. */
export class FrameError extends Error {}

/** The messages of a response body. */
export function unframe(body: Buffer, maxBytes = MAX_RECEIVE_BYTES): Buffer[] {
  const messages: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < PREFIX_BYTES) throw new FrameError("a truncated message prefix");
    if (body.readUInt8(at) !== 0) throw new FrameError("a compressed message (none was asked)");
    const length = body.readUInt32BE(at + 1);
    if (length > maxBytes) {
      throw new FrameError(`a message of ${length} bytes (more than ${maxBytes})`);
    }
    const end = at + PREFIX_BYTES + length;
    if (end > body.length) throw new FrameError("a truncated message");
    messages.push(body.subarray(at + PREFIX_BYTES, end));
    at = end;
  }
  return messages;
}
