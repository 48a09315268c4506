import type { IncomingMessage } from "node:http";
import { Problem } from "../http-gateway/problem.js";

/** The largest request body the sidecar reads; its requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

function tooLarge(maxBytes: number): Problem {
  return new Problem(413, "Content Too Large", `the request body is over ${maxBytes} bytes`, {
    // The rest of the body is not read: the connection cannot be reused.
    headers: { connection: "close" },
  });
}

/** The request body as UTF-8 text, refused with 413 past `maxBytes` and 415 in another charset. */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<string> {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(req.headers["content-type"] ?? "")?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new Problem(
      415,
      "Unsupported Media Type",
      `the request body must be UTF-8, not ${charset}`,
    );
  }
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
