import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import * as compiled from "./compiledValidators.js";
import { loneSurrogateField } from "./loneSurrogateField.js";
import type { PageQuery } from "./paging.js";
import { badRequest, type FieldError, type ProblemError } from "./Problem.js";
import type {
  SecretRotationJson,
  SidecarWatcherCreateJson,
  WatcherCreateJson,
  WebhookCreateJson,
  WebhookRecoverJson,
} from "./shapes.js";

export interface CounterQuery {
  pod_name: string;
  namespace?: string;
  ttl?: string;
}

export interface WatcherQuery extends PageQuery {
  jobName?: string;
  status?: string;
  namespace?: string;
}

// The generated module's validators take any data; these are the types each one proves.
const as = <T>(validate: ValidateFunction): ValidateFunction<T> => validate as ValidateFunction<T>;

/**
 * Validators of request bodies and of each route's query (`validatorSchemas.ts`), compiled when
 * jobhooks is built (`compiledValidators.js`).
 */
export const validators = {
  webhookCreate: as<WebhookCreateJson>(compiled.webhookCreate),
  webhookRecover: as<WebhookRecoverJson>(compiled.webhookRecover),
  secretRotation: as<SecretRotationJson>(compiled.secretRotation),
  watcherCreate: as<WatcherCreateJson>(compiled.watcherCreate),
  watcherQuery: as<WatcherQuery>(compiled.watcherQuery),
  deliveriesQuery: as<PageQuery>(compiled.deliveriesQuery),
  webhookQuery: as<PageQuery>(compiled.webhookQuery),
  sidecarWatcherCreate: as<SidecarWatcherCreateJson>(compiled.sidecarWatcherCreate),
  counterQuery: as<CounterQuery>(compiled.counterQuery),
  podQuery: as<CounterQuery>(compiled.podQuery),
  renewQuery: as<CounterQuery & { ttl: string }>(compiled.renewQuery),
  pathId: as<string>(compiled.pathId),
  noQuery: as<Record<string, never>>(compiled.noQuery),
};

/** Checks `value`; a Problem naming every bad field when it does not fit. */
export function check<T>(validate: ValidateFunction<T>, value: unknown, what: string): T {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  const lone = loneSurrogateField(value);
  if (lone !== undefined) {
    throw badRequest(`${what} is not valid: ${lone} holds a lone UTF-16 surrogate`, [
      { field: lone, message: "must be valid Unicode: a lone UTF-16 surrogate cannot be stored" },
    ]);
  }
  if (validate(value)) return value;
  throw invalid(validate, what);
}

/** The Problem for the errors of the last call of `validate`. */
export function invalid(validate: ValidateFunction, what: string): ProblemError {
  const errors = fieldErrors(validate.errors ?? []);
  return badRequest(
    `${what} is not valid: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`,
    errors,
  );
}

/**
 * Query parameters given once each, as strings; those named in `integers` become numbers when
 * written as digits only (as the Kubernetes API parses `limit`), so the schema checks their range.
 */
export function checkQuery<T>(
  validate: ValidateFunction<T>,
  query: Record<string, unknown>,
  integers: readonly string[] = [],
): T {
  const repeated = Object.entries(query).filter(([, v]) => typeof v !== "string");
  if (repeated.length > 0) {
    const errors = repeated.map(([k]) => ({
      field: k,
      message: "must be given once, as a plain value",
    }));
    throw badRequest("the query is not valid", errors);
  }
  const typed = Object.fromEntries(
    Object.entries(query).map(([k, v]) => [
      k,
      integers.includes(k) && /^[0-9]{1,7}$/.test(v as string) ? Number(v) : v,
    ]),
  );
  return check<T>(validate, typed, "the query");
}

interface RuleSchema {
  "x-rule"?: string;
  "x-field"?: string;
}

// Errors that only say another one failed: its "then" (if), one of its names (propertyNames).
const SUMMARIES = new Set(["if", "propertyNames"]);

// One entry per field and message; what a oneOf's branches say is its own error's to say.
function fieldErrors(errors: ErrorObject[]): FieldError[] {
  const seen = new Map<string, FieldError>();
  const told = errors.filter(
    (e) => !/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath) && !SUMMARIES.has(e.keyword),
  );
  for (const e of told) {
    const f = fieldError(e);
    seen.set(`${f.field}\n${f.message}`, f);
  }
  return [...seen.values()];
}

// "/a/0/b" → "a[0].b"
function restPath(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("")
    .replace(/^\./, "");
}

// The rule in words: the schema's x-rule, else what ajv says.
function ruleOf(e: ErrorObject): { rule: RuleSchema; message: string } {
  const rule = (e.parentSchema ?? {}) as RuleSchema;
  return { rule, message: rule["x-rule"] ?? e.message ?? "is not valid" };
}

function fieldError(e: ErrorObject): FieldError {
  // A property's name that breaks propertyNames' rule: the error is about that property.
  const name = e.propertyName === undefined ? "" : `.${e.propertyName}`;
  const path = (restPath(e.instancePath) + name).replace(/^\./, "");
  const join = (field: string): string => (path ? `${path}.${field}` : field);
  const { rule, message } = ruleOf(e);
  switch (e.keyword) {
    case "required":
      return { field: join(String(e.params.missingProperty)), message: "is required" };
    case "additionalProperties":
      return { field: join(String(e.params.additionalProperty)), message: "is not a known field" };
    case "oneOf":
      return { field: join(rule["x-field"] ?? ""), message };
    case "pattern":
    case "not":
      return { field: path, message };
    default:
      return { field: path || "(body)", message: e.message ?? "is not valid" };
  }
}
