/**
 * Every limit of the API, in one place: the domain's validation and the REST schema read them
 * from here, so the two cannot disagree.
 */
export const LIMITS = {
  /** Job names are pod label values, so 63 at most; so are namespaces. */
  nameLength: 63,
  /** A CronJob's name leaves 11 characters for the suffix of its Jobs. */
  cronJobNameLength: 52,
  /** A pod's name: a DNS-1123 subdomain. */
  podNameLength: 253,
  /** Ids in paths and triggers. */
  idLength: 255,
  idempotencyKeyLength: 255,
  urlLength: 2048,
  descriptionLength: 1024,
  requestBodyBytes: 1024 * 1024,
  /** A body template, as a Webhook object's spec.body (manifests/crds.yaml). */
  bodyTemplateLength: 16 * 1024,
  /** Extra headers of a webhook, as a Webhook object's spec.headers. */
  headers: 20,
  triggers: 32,
  /** 30 days. */
  timeoutSeconds: 30 * 24 * 3600,
  /** A rotated secret's overlap: 30 days at most, 24 hours when not asked. */
  previousSecretSeconds: 30 * 24 * 3600,
  defaultPreviousSecretSeconds: 24 * 3600,
  /** Items in a page when the request asks for none, and at most. */
  pageSize: 1000,
  pageTokenLength: 1024,
  /**
   * A page's items add up to at most this many bytes, whatever the count: grpc-js refuses a
   * message over 4 MiB unless told otherwise, and one item (a webhook with a 1 MiB request body)
   * always fits.
   */
  pageBytes: 3 * 1024 * 1024,
  /** A lease's ttl: 1 s to 7 days. */
  leaseTtlSeconds: { min: 1, max: 7 * 24 * 3600 },
  /** A lease id as answered (base64url); a longer one is not ours. */
  leaseIdLength: 64,
} as const;

/** A DNS-1123 label, the shape of namespaces and Job names (anchor it where it is used). */
export const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

/**
 * Headers a webhook may not set: HTTP's framing, and those jobhooks sends itself (Standard
 * Webhooks', CloudEvents'). Names compare case-insensitively.
 */
export const RESERVED_HEADERS = {
  names: ["host", "content-length", "content-type", "transfer-encoding", "connection"],
  prefixes: ["webhook-", "ce-"],
} as const;

/** An HTTP header name: an RFC 9110 token (anchor it where it is used). */
export const HTTP_TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
