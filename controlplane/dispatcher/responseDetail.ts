import type { Response } from "undici";

/** The response body's first bytes the attempt log keeps, whatever the status. */
export const RESPONSE_PREFIX_BYTES = 1024;

/** Response headers the attempt log keeps, when the receiver sent them. */
export const RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  "retry-after",
  "location",
  "server",
  "date",
] as const;

const MAX_HEADER_CHARS = 200;
const MAX_ERROR_CHARS = 200;

/** Up to `max` bytes of the body (a little more: whole chunks); the rest is cancelled, never read. */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  max: number,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < max) {
      const chunk = await reader.read();
      if (chunk.done) break;
      chunks.push(chunk.value);
      bytes += chunk.value.byteLength;
    }
  } catch {
    // Cut short by our timeout, an abort or a reset: the status already decided the result.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks);
}

/**
 * The first RESPONSE_PREFIX_BYTES of a body as text: a character cut in half at the end is left
 * out, and NUL (which PostgreSQL's text refuses) becomes U+FFFD.
 */
export function responsePrefix(body: Uint8Array): string {
  const head = body.subarray(0, RESPONSE_PREFIX_BYTES);
  return new TextDecoder().decode(head, { stream: true }).replace(/\0/g, "\uFFFD");
}

/** The RESPONSE_HEADERS the response has, each value one line of at most 200 characters. */
export function responseHeaders(response: Response): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) kept[name] = clip(value, MAX_HEADER_CHARS);
  }
  return kept;
}

export function describeStatus(response: Response, body: string): string {
  const location = response.headers.get("location");
  const redirect =
    response.status >= 300 && response.status <= 399 && location
      ? ` redirect to ${clip(location)} (not followed)`
      : "";
  const text = clip(body);
  return `HTTP ${response.status}${redirect}${text ? `: ${text}` : ""}`;
}

/** One line of at most `max` characters, safe to log: controls and runs of spaces become one. */
export function clip(text: string, max = MAX_ERROR_CHARS): string {
  const line = text.replace(/[\s\p{Cc}]+/gu, " ").trim();
  if (line.length <= max) return line;
  // Drop a dangling high surrogate rather than emit half a character.
  return `${line.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, "")}…`;
}
