import type { IncomingMessage } from "node:http";
import { HttpError } from "./HttpError.js";

function tooLarge(maxBytes: number): HttpError {
  // The rest of the body is not read: the connection cannot be reused.
  return new HttpError(413, "Content Too Large", `the request body is over ${maxBytes} bytes`, {
    connection: "close",
  });
}

/** The request body as UTF-8 text, refused with 413 past `maxBytes` and 415 in another charset. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(req.headers["content-type"] ?? "")?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new HttpError(
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
