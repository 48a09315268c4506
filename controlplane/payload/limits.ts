import { LIMITS } from "../../contract/limits.js";

/**
 * The bounds of a payload template, checked when a webhook is created or applied (sizes) and
 * when one is rendered (time, memory, output). A CRD schema that repeats the sizes reads them
 * from here.
 */
export const PAYLOAD_LIMITS = {
  /** The body template, in Unicode code points (as a CRD's maxLength counts them). */
  bodyLength: 16384,
  headers: 20,
  /** One header value template, in code points. */
  headerValueLength: 1024,
  /** A rendered header value is cut here: a header is no place for a pod's whole log. */
  renderedHeaderValueLength: 4096,
  /** A rendered body over this many UTF-8 bytes fails its render: the same bound as requestBody. */
  renderedBodyBytes: LIMITS.requestBodyBytes,
  /**
   * Milliseconds one render may take. With 100, `{% for i in (1..100000) %}{% for j in
   * (1..100000) %}…` fails after about 100 ms with "template render limit exceeded".
   */
  renderMs: 100,
  /**
   * liquidjs's memory units (array elements, string characters made by filters) one render may
   * use. With 4 Mi, `{% for i in (1..5000000) %}` fails at once: the range alone is 5 M.
   */
  renderMemory: 4 * 1024 * 1024,
  /** Parsed templates kept, by source: a burst of Jobs of a few webhooks parses each once. */
  cachedTemplates: 256,
} as const;
