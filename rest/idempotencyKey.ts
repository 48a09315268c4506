import type { IncomingMessage } from "node:http";
import { idempotencyKey as schema } from "./openapi/parts.js";
import { badRequest } from "./Problem.js";

const pattern = new RegExp(schema.pattern);

/** The request's Idempotency-Key header, checked as the document says; undefined without one. */
export function idempotencyKey(req: IncomingMessage): string | undefined {
  const key = req.headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (
    typeof key === "string" &&
    key.length >= schema.minLength &&
    key.length <= schema.maxLength &&
    pattern.test(key)
  ) {
    return key;
  }
  const rule = schema["x-rule"];
  throw badRequest(`Idempotency-Key ${rule}`, [{ field: "Idempotency-Key", message: rule }]);
}
