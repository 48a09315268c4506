import type { Ajv2020, ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { lazyModule } from "../common/lazyModule.js";
import { loneSurrogateField } from "./loneSurrogateField.js";
import { counterParameters, podQueryParameters, renewParameters } from "./openapi/counter.js";
import { openApiDocument } from "./openapi/document.js";
import { idParam } from "./openapi/parts.js";
import type { PageQuery } from "./paging.js";
import { badRequest, type FieldError, type ProblemError } from "./Problem.js";
import type {
  SecretRotationJson,
  SidecarWatcherCreateJson,
  WatcherCreateJson,
  WebhookCreateJson,
  WebhookRecoverJson,
} from "./shapes.js";

// ajv and its compiled validators are made on first use: compiling every schema at start took
// a process about 130 ms and some MiB it may never need (a sidecar that only counts).
const ajvModule = lazyModule<typeof import("ajv/dist/2020.js")>("ajv/dist/2020.js");
// ajv-formats is CommonJS whose default export is the function itself.
const addFormats = lazyModule<(ajv: Ajv2020) => Ajv2020>("ajv-formats");
let made: Ajv2020 | undefined;

function ajv(): Ajv2020 {
  if (made) return made;
  // verbose: each error carries its schema, whose x-rule says the rule in words.
  made = new (ajvModule().Ajv2020)({ allErrors: true, strict: false, verbose: true });
  addFormats()(made);
  made.addSchema({ $id: "jobhooks", components: openApiDocument.components });
  return made;
}

/** A validator compiled when first called; its errors are the compiled one's last errors. */
function onFirstUse<T>(make: () => ValidateFunction<T>): ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  const validate = ((data: unknown) => {
    compiled ??= make();
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  }) as ValidateFunction<T>;
  return validate;
}

function compile<T>(schemaOf: () => object): ValidateFunction<T> {
  return onFirstUse(() => ajv().compile<T>(schemaOf()));
}

type SchemaName = keyof typeof openApiDocument.components.schemas;

function schema<T = unknown>(name: SchemaName): ValidateFunction<T> {
  return onFirstUse(() => {
    const fn = ajv().getSchema<T>(`jobhooks#/components/schemas/${name}`);
    if (!fn) throw new Error(`no schema ${name}`);
    return fn;
  });
}

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

/** Validators of request bodies and of each route's query, each compiled once, when first used. */
export const validators = {
  webhookCreate: schema<WebhookCreateJson>("WebhookCreate"),
  webhookRecover: schema<WebhookRecoverJson>("WebhookRecover"),
  secretRotation: schema<SecretRotationJson>("WebhookSecretRotation"),
  watcherCreate: schema<WatcherCreateJson>("JobDoneWatcherCreate"),
  watcherQuery: compile<WatcherQuery>(() =>
    absoluteRefs(queryOf(openApiDocument.paths["/job-done-watchers"].get.parameters)),
  ),
  deliveriesQuery: compile<PageQuery>(() =>
    absoluteRefs(
      queryOf(openApiDocument.paths["/job-done-watchers/{id}/deliveries"].get.parameters.slice(1)),
    ),
  ),
  webhookQuery: compile<PageQuery>(() =>
    absoluteRefs(queryOf(openApiDocument.paths["/webhooks"].get.parameters)),
  ),
  /** The sidecar's body: jobName may be left out, it defaults to the pod's own Job. */
  sidecarWatcherCreate: compile<SidecarWatcherCreateJson>(() =>
    absoluteRefs(withoutKeys(openApiDocument.components.schemas.JobDoneWatcherCreate, ["oneOf"])),
  ),
  counterQuery: compile<CounterQuery>(() => absoluteRefs(queryOf(counterParameters))),
  podQuery: compile<CounterQuery>(() => absoluteRefs(queryOf(podQueryParameters))),
  renewQuery: compile<CounterQuery & { ttl: string }>(() => absoluteRefs(queryOf(renewParameters))),
  pathId: compile<string>(() => idParam.schema),
  noQuery: compile<Record<string, never>>(() => ({ type: "object", additionalProperties: false })),
  /** A response: used by tests to keep the document true. */
  response: (name: SchemaName): ValidateFunction => schema(name),
};

interface Parameter {
  readonly name: string;
  readonly required?: boolean;
  readonly schema: object;
}

/** The schema of an operation's query, from its parameters: no others are taken. */
function queryOf(parameters: readonly Parameter[]): object {
  return {
    type: "object",
    required: parameters.filter((p) => p.required === true).map((p) => p.name),
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
    additionalProperties: false,
  };
}

function withoutKeys(schema: object, keys: string[]): object {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !keys.includes(k)));
}

// A schema compiled on its own resolves "#/components/…" against itself: point at the document.
function absoluteRefs(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"jobhooks#/components/'),
  ) as object;
}

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
