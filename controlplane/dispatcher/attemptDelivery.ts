import { ErrorClass } from "../../contract/model.js";
import type { Egress } from "../egress/Egress.js";
import type { Delivery, SecretRef } from "../watchers/model.js";
import { sendAttempt, type AttemptResult } from "./sendAttempt.js";

export interface AttemptOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** The guarded connection pool every delivery goes through. */
  egress: Egress;
  /**
   * Reads a Secret's signing key: one secret, or two separated by a space (a rotation's new and
   * old one); absent: a delivery that names a Secret cannot be signed.
   */
  secretOf?: (ref: SecretRef) => Promise<string>;
  /** The attempt's time, for a previous secret's expiry. Default: now. */
  now?: Date;
}

/**
 * One attempt of a delivery: its signing secrets (its own, and during a rotation's overlap the
 * previous one; or read from the Secret it names, at each attempt, so a rotated Secret signs the
 * next one), then the POST. Never throws.
 */
export async function attemptDelivery(d: Delivery, o: AttemptOptions): Promise<AttemptResult> {
  let secrets: string[];
  try {
    secrets = await secretsOf(d, o);
  } catch (err) {
    // Perhaps not granted yet, or the Secret not made yet: tried again after a backoff.
    const error = errorText(err);
    return {
      kind: "retry",
      error,
      errorClass: ErrorClass.SECRET,
      host: hostOf(d.url),
      durationMs: 0,
    };
  }
  const [secret, previousSecret] = secrets;
  return sendAttempt(
    {
      id: d.id,
      url: d.url,
      body: d.body,
      contentType: d.contentType,
      ...(secret !== undefined && { secret }),
      ...(previousSecret !== undefined && { previousSecret }),
      ...(d.headers && { headers: d.headers }),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    },
    o.egress,
  ).catch((err: unknown): AttemptResult => {
    // sendAttempt throws only for a delivery it cannot send at all (a bad URL or secret that
    // slipped past validation): end it rather than retry it forever.
    const error = `cannot be sent: ${errorText(err)}`;
    const host = hostOf(d.url);
    return {
      kind: "rejected",
      status: 0,
      error,
      errorClass: ErrorClass.NETWORK,
      host,
      durationMs: 0,
    };
  });
}

/** A delivery given up without sending: its deadline passed while it waited (e.g. downtime). */
export function deadlinePassed(d: Delivery): AttemptResult {
  const error = "the delivery deadline passed";
  return {
    kind: "retry",
    error,
    errorClass: ErrorClass.DEADLINE,
    host: hostOf(d.url),
    durationMs: 0,
  };
}

/** The URL's host as the attempt log names it; '' for a URL that does not parse. */
export function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : "";
}

// The secrets that sign this attempt, newest first: a previous secret only until it expires.
async function secretsOf(d: Delivery, o: AttemptOptions): Promise<string[]> {
  if (d.secretRef) {
    if (!o.secretOf) throw new Error("no reader of signing Secrets");
    return (await o.secretOf(d.secretRef)).split(" ");
  }
  const previous = d.previousSecret;
  const current = previous && previous.expiresAt > (o.now ?? new Date());
  return [d.secret, current ? previous.secret : undefined].filter((s) => s !== undefined);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
