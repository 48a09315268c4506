import { createHash } from "node:crypto";
import type { Cursor } from "../store/keyset.js";
import { ValidationError } from "./errors.js";

/** Which list a token continues; a token of one list is refused by another. */
export type ListKind = "webhooks" | "watchers" | "attempts";

const MAX_TOKEN_CHARS = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * An opaque continue token: the last item of a page (its place in (created_at, id) order; for
 * attempts, whose order is their number, that number twice), the
 * list it belongs to, and a fingerprint of the filters it was issued for. Not secret, and not
 * signed: a forged one can only start a list at another place, which any caller may do.
 */
export function encodePageToken(kind: ListKind, last: Cursor, filter: unknown = null): string {
  const token = { v: 1, k: kind, c: last.createdAt, i: last.id, f: fingerprint(filter) };
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

/** The cursor a token names; an invalid-argument error (pageToken) for anything this server did not issue. */
export function decodePageToken(kind: ListKind, token: string, filter: unknown = null): Cursor {
  const parsed = parse(token);
  if (!isToken(parsed) || parsed.k !== kind) {
    throw invalid(`is not a token this server issued for the list of ${kind}`);
  }
  if (parsed.f !== fingerprint(filter)) {
    throw invalid("was issued for other filters; list again from the first page");
  }
  return { createdAt: parsed.c, id: parsed.i };
}

interface Token {
  v: 1;
  k: string;
  c: number;
  i: string;
  f: string;
}

function parse(token: string): unknown {
  if (token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token)) return undefined;
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function isToken(t: unknown): t is Token {
  if (typeof t !== "object" || t === null || Array.isArray(t)) return false;
  const o = t as Record<string, unknown>;
  return (
    Object.keys(o).length === 5 &&
    o.v === 1 &&
    typeof o.k === "string" &&
    typeof o.f === "string" &&
    isCursor(o.c, o.i)
  );
}

// created_at as milliseconds, and an id as the store makes them.
function isCursor(c: unknown, i: unknown): boolean {
  return (
    Number.isSafeInteger(c) &&
    (c as number) >= 0 &&
    typeof i === "string" &&
    i.length > 0 &&
    i.length <= 255
  );
}

function fingerprint(filter: unknown): string {
  return createHash("sha256").update(JSON.stringify(filter)).digest("base64url").slice(0, 12);
}

function invalid(description: string): ValidationError {
  return new ValidationError([{ field: "pageToken", description }]);
}
