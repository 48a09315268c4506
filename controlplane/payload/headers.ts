import { PAYLOAD_LIMITS } from "./limits.js";

// RFC 9110 token: the characters a field name may have.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// The request's framing is the HTTP client's; fetch refuses the last three outright, so a
// webhook naming them could never deliver.
const RESERVED = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "expect",
]);
// webhook-* are Standard Webhooks' (id, timestamp, signature); ce-* are CloudEvents'.
const RESERVED_PREFIXES = ["webhook-", "ce-"];

/** Why `name` cannot be a payload header, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) {
    return "must be an HTTP token: letters, digits and !#$%&'*+-.^_`|~";
  }
  const lower = name.toLowerCase();
  if (RESERVED.has(lower)) return `is set by jobhooks and cannot be given`;
  const prefix = RESERVED_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `${prefix}* headers are set by jobhooks and cannot be given`;
  return undefined;
}

/**
 * A rendered value made fit for a header: control characters (a Job message's newlines) become
 * spaces, so no template can add a header or break the request; the result is trimmed, cut at
 * PAYLOAD_LIMITS.renderedHeaderValueLength characters, and its non-ASCII characters are
 * percent-encoded as UTF-8 (fetch refuses characters past U+00FF).
 */
export function headerValue(rendered: string): string {
  return (
    rendered
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, " ")
      .trim()
      .slice(0, PAYLOAD_LIMITS.renderedHeaderValueLength)
      .replace(/[^\x20-\x7e]+/g, percentEncoded)
  );
}

// Through Buffer rather than encodeURIComponent, which throws on a lone surrogate (a message
// cut in the middle of an emoji); Buffer writes U+FFFD for it.
function percentEncoded(text: string): string {
  return Array.from(Buffer.from(text, "utf8"), (b) => `%${b.toString(16).toUpperCase()}`).join("");
}
