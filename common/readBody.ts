import type { IncomingMessage } from "node:http";
import type { Readable, Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { HttpError } from "./HttpError.js";

// Content-Encoding names a client may use, each with its decoder.
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function tooLarge(maxBytes: number): HttpError {
  // The rest of the body is not read: the connection cannot be reused.
  return new HttpError(413, "Content Too Large", `the request body is over ${maxBytes} bytes`, {
    connection: "close",
  });
}

function checkCharset(req: IncomingMessage): void {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(req.headers["content-type"] ?? "")?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new HttpError(
      415,
      "Unsupported Media Type",
      `the request body must be UTF-8, not ${charset}`,
    );
  }
}

function decoderFor(req: IncomingMessage): (() => Transform) | undefined {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return undefined;
  const decoder = DECODERS[encoding];
  if (!decoder) {
    throw new HttpError(
      415,
      "Unsupported Media Type",
      `unsupported Content-Encoding "${encoding}": use gzip, deflate, br or none`,
    );
  }
  return decoder;
}

/**
 * The bytes of `source` (the request, or its decoder fed by the request), refused with 413 once
 * the bytes sent or the bytes decoded pass `maxBytes`. On a refusal the request is left unread
 * rather than destroyed, so the answer can still be sent; it closes the connection.
 */
function collect(
  req: IncomingMessage,
  decoder: Transform | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const source: Readable = decoder ? req.pipe(decoder) : req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const stop = (err: HttpError): void => {
      if (settled) return;
      settled = true;
      source.removeAllListeners("data");
      req.removeAllListeners("data");
      if (decoder) {
        req.unpipe(decoder);
        decoder.on("error", () => {});
        decoder.destroy();
      }
      req.pause();
      reject(err);
    };
    source.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) stop(tooLarge(maxBytes));
      else chunks.push(chunk);
    });
    source.once("end", () => {
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    source.on("error", (err: Error) => {
      const what = decoder ? "does not decode" : "was cut off";
      stop(
        new HttpError(400, "Bad Request", `the request body ${what}: ${err.message}`, {
          connection: "close",
        }),
      );
    });
    if (decoder) {
      // What is sent counts too: a stream that decodes to little must still end.
      let sent = 0;
      req.on("data", (chunk: Buffer) => {
        sent += chunk.length;
        if (sent > maxBytes) stop(tooLarge(maxBytes));
      });
      req.once("error", () => decoder.destroy(new Error("the request ended")));
    }
  });
}

/**
 * The request body as text: decoded from its Content-Encoding (gzip, deflate, br; another is
 * 415), refused with 413 once it passes `maxBytes` as sent or as decoded (a declared
 * Content-Length over it is refused before a byte is read), 415 in a charset other than UTF-8,
 * and 400 when its bytes are not UTF-8 (never read as U+FFFD).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  checkCharset(req);
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const decoder = decoderFor(req);
  const bytes = await collect(req, decoder?.(), maxBytes);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(400, "Bad Request", "the request body is not valid UTF-8");
  }
}
