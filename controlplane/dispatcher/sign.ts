import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks secrets: "whsec_" + base64 of 24 to 64 random bytes.
const SECRET_PREFIX = "whsec_";
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const GENERATED_KEY_BYTES = 32;

/**
 * The `webhook-signature` value for one attempt: `v1,<base64 HMAC-SHA256>` over
 * `${id}.${timestampSeconds}.${body}`, keyed with the decoded secret, as the Standard Webhooks
 * spec defines it. Receivers check it with any Standard Webhooks library.
 *
 * Throws a TypeError for a malformed secret or a non-integer timestamp: both are the caller's
 * bug (secrets are validated with {@link isValidSecret} when a webhook is created).
 */
export function signPayload(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  if (!isValidSecret(secret)) throw new TypeError("signPayload: secret is not a valid whsec_ key");
  if (!Number.isSafeInteger(timestampSeconds)) {
    throw new TypeError(`signPayload: timestamp must be whole seconds, got ${timestampSeconds}`);
  }
  const mac = createHmac("sha256", secretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`, "utf8")
    .digest("base64");
  return `v1,${mac}`;
}

/**
 * The `webhook-signature` value signed with each of `secrets`, space-separated as the Standard
 * Webhooks spec allows (`v1,<new> v1,<old>` during a rotation): a receiver that knows either
 * secret finds its signature. Throws as {@link signPayload} does.
 */
export function signatures(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  return secrets.map((secret) => signPayload(secret, id, timestampSeconds, body)).join(" ");
}

/**
 * True for `whsec_` followed by canonical, padded base64 of 24 to 64 bytes. Canonical means the
 * text re-encodes to itself, so two spellings of one key cannot both be stored.
 */
export function isValidSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Buffer.from(…, "base64") skips characters it does not know, so check the alphabet first.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return false;
  const key = Buffer.from(encoded, "base64");
  return (
    key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES && key.toString("base64") === encoded
  );
}

/**
 * A fresh secret: `whsec_` + base64 of 32 random bytes. A key as long as the SHA-256 output gives
 * HMAC its full strength; longer keys add nothing.
 */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_KEY_BYTES).toString("base64");
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}
