import { domainFieldName } from "../../contract/fields.js";
import { ApiError, NotFoundError, ValidationError } from "../../contract/errors.js";

/**
 * The error with its field paths in the domain's names. Parts of the core still name some
 * fields as the proto does (triggers[0].webhook_id, page_token); a domain name is left as it
 * is, so this can be applied to any error at the service's edge.
 */
export function inDomainNames(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.violations.length === 0) return err;
  const violations = err.violations.map((v) => ({
    field: domainFieldName(v.field, "proto"),
    description: v.description,
  }));
  if (violations.every((v, i) => v.field === err.violations[i]?.field)) return err;
  if (err instanceof ValidationError) return new ValidationError(violations);
  if (err instanceof NotFoundError) return new NotFoundError(err.message, violations);
  return new ApiError(err.code, err.message, violations, err.preconditions);
}

/** Runs `f`, its errors in the domain's names. */
export async function domainNamed<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw inDomainNames(err);
  }
}
