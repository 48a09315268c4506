// Pieces the OpenAPI document is built from: each rule the server enforces on a value, stated once
// as a JSON Schema so that the gateway validates with it and a generated client obeys it.
import { FETCH_BAD_PORTS } from "../../common/fetchBadPorts.js";
import { DNS_LABEL, HTTP_TOKEN, LIMITS, RESERVED_HEADERS } from "../../contract/limits.js";

// `x-rule` is our extension: the sentence a refusal names the field with (rest/validators.ts).
// Every bound is contract/limits.ts's, so the document and the domain's validation agree.

export const dnsLabel = {
  type: "string",
  minLength: 1,
  maxLength: LIMITS.nameLength,
  pattern: `^${DNS_LABEL}$`,
  "x-rule":
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
} as const;

/** A pod's name: DNS-1123 labels joined by dots, 253 characters at most. */
export const dnsSubdomain = {
  type: "string",
  minLength: 1,
  maxLength: LIMITS.podNameLength,
  pattern: `^${DNS_LABEL}(\\.${DNS_LABEL})*$`,
  "x-rule":
    "must be a DNS-1123 subdomain: DNS-1123 labels (lowercase letters, digits and '-', starting and ending with a letter or digit) joined by '.'",
} as const;

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const HEX4 = "[0-9A-Fa-f]{1,4}";
// The host forms every URL parser reads alike: a dotted IPv4 address, an IPv6 address in full or
// after a leading "::", or DNS names whose last label starts with a letter (a numeric last label
// would be read as an IPv4 number) and which have no "--" (no xn-- labels to decode).
const HOST =
  `(${OCTET}\\.){3}${OCTET}` +
  `|\\[((${HEX4}:){7}${HEX4}|::(${HEX4}(:${HEX4}){0,6})?)\\]` +
  "|([A-Za-z0-9_]+(-[A-Za-z0-9_]+)*\\.)*[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*";
const PORT = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})";
/** A webhook's URL: http or https, no credentials, a port clients connect to, 2048 at most. */
export const webhookUrl = {
  type: "string",
  minLength: 1,
  maxLength: LIMITS.urlLength,
  pattern: `^[Hh][Tt][Tt][Pp][Ss]?://(${HOST})(:${PORT})?([/?#][!-~]*)?$`,
  not: { pattern: `^[^/]*//[^/?#]*:0*(${FETCH_BAD_PORTS.join("|")})([/?#]|$)` },
  "x-rule":
    "must be an http or https URL without credentials, e.g. https://example.com/hook, in printable ASCII, on a port HTTP clients connect to (not one of the Fetch standard's bad ports)",
} as const;

// Canonical, padded base64 of 24 to 64 bytes: 8 to 21 whole groups, then none, one byte (its
// second character has four zero bits) or two bytes (its third has two zero bits).
const B64 = "[A-Za-z0-9+/]";
export const webhookSecret = {
  type: "string",
  pattern:
    `^whsec_((${B64}{4}){8,21}(${B64}[AQgw]==)?` +
    `|(${B64}{4}){8,20}${B64}{2}[AEIMQUYcgkosw048]=)$`,
  "x-rule": 'must be "whsec_" followed by base64 of 24 to 64 random bytes',
} as const;

// A pattern that matches `s` in any case: JSON Schema's patterns have no flags.
const anyCase = (s: string): string =>
  s.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
const RESERVED = [
  ...RESERVED_HEADERS.names.map((n) => `${anyCase(n)}$`),
  ...RESERVED_HEADERS.prefixes.map(anyCase),
].join("|");

/** A webhook's extra headers: names HTTP tokens jobhooks does not send itself; values templates. */
export const webhookHeaders = {
  type: "object",
  maxProperties: LIMITS.headers,
  propertyNames: {
    pattern: `^${HTTP_TOKEN}$`,
    not: { pattern: `^(${RESERVED})` },
    "x-rule": `must be an HTTP header name (a token), not one jobhooks sets: ${RESERVED_HEADERS.names.join(", ")}, ${RESERVED_HEADERS.prefixes.map((p) => `${p}*`).join(", ")}`,
  },
  // Values are templates, rendered at each delivery; no control character but a tab.
  additionalProperties: {
    type: "string",
    pattern: "^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$",
    "x-rule": "must be a header value: no control characters but tab",
  },
} as const;

/** CloudEvents' HTTP content modes. */
export const cloudEventsMode = {
  type: "string",
  enum: ["Binary", "Structured"],
  description:
    "Binary: the event's attributes are ce-* headers and the body is its data; Structured: the whole event is the body (application/cloudevents+json).",
} as const;

/**
 * An Idempotency-Key: 1 to 255 printable ASCII characters. HTTP drops spaces at either end of a
 * header value, so a key cannot begin or end with one.
 */
export const idempotencyKey = {
  type: "string",
  minLength: 1,
  maxLength: LIMITS.idempotencyKeyLength,
  pattern: "^[!-~]([ !-~]*[!-~])?$",
  "x-rule": `must be 1 to ${LIMITS.idempotencyKeyLength} printable ASCII characters, spaces allowed inside, not at either end`,
} as const;

export const seconds = {
  type: "integer",
  minimum: 0,
  maximum: LIMITS.timeoutSeconds,
  default: 0,
} as const;

/** An id in a path: 1 to 255 characters (Unicode code points), percent-encoded as UTF-8. */
export const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", minLength: 1, maxLength: LIMITS.idLength },
} as const;

/** A trigger's id in a path, as a watcher's: 1 to 255 characters. */
export const triggerIdParam = { ...idParam, name: "triggerId" } as const;

/** A reference to a schema of the document; its literal type lets json-schema-to-ts follow it. */
export const ref = <N extends string>(name: N): { $ref: `#/components/schemas/${N}` } => ({
  $ref: `#/components/schemas/${name}`,
});
export const json = <S>(schema: S): { "application/json": { schema: S } } => ({
  "application/json": { schema },
});

const PROBLEM_TEXT: Record<number, string> = {
  400: "malformed request (bad JSON, a body that does not decode, a path escape that is not UTF-8, a value the schema refuses); `errors` names each bad field",
  401: "no valid bearer token (with --auth=tokenreview)",
  403: "the caller's RBAC does not allow this",
  404: "no such resource",
  409: "conflict: an idempotency key reused for another request, a watcher that already ended, or a webhook that open watchers name",
  413: "request body over 1 MiB, as sent (Content-Length) or decoded",
  415: "request body in a charset other than UTF-8, or a Content-Encoding other than gzip, deflate or br",
  429: "the controlplane refused the call as too large or too many",
  502: "the controlplane failed unexpectedly",
  503: "the controlplane is unavailable; retry after Retry-After seconds",
  504: "the controlplane did not answer in time",
};

const retryAfter = {
  "Retry-After": { required: true, schema: { type: "string", pattern: "^[0-9]+$" } },
};

// Any request may meet these: the body is read, and the controlplane called, on every route.
const EVERY_OPERATION = [400, 401, 403, 413, 415, 429, 502, 503, 504] as const;

/** An error answer (an RFC 9457 problem); `description` says when an operation gives it. */
export function problem(code: number, description = PROBLEM_TEXT[code] ?? "error"): object {
  return {
    description,
    ...(code === 503 && { headers: retryAfter }),
    content: { "application/problem+json": { schema: ref("Problem") } },
  };
}

/**
 * The error answers of an operation: those every operation may give, and `codes` of its own
 * (404, 409), each a code or a code with what it means for this operation.
 */
export function problems(...codes: (number | readonly [number, string])[]): Record<string, object> {
  const texts = new Map(codes.map((c) => (typeof c === "number" ? [c, undefined] : c)));
  const all = [...new Set([...EVERY_OPERATION, ...texts.keys()])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((c) => [String(c), problem(c, texts.get(c))]));
}
