import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { WatcherCreateJson, WebhookCreateJson } from "./convert.js";
import { openApiDocument } from "./openapi.js";
import type { PageQuery } from "./paging.js";
import { badRequest, type FieldError, type Problem } from "./problem.js";

// ajv-formats is CommonJS whose default export is the function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: "jobhooks", components: openApiDocument.components });

function schema<T = unknown>(
  name: keyof typeof openApiDocument.components.schemas,
): ValidateFunction<T> {
  const fn = ajv.getSchema<T>(`jobhooks#/components/schemas/${name}`);
  if (!fn) throw new Error(`no schema ${name}`);
  return fn;
}

export interface CounterQuery {
  pod_name: string;
  namespace?: string;
}

export interface WatcherQuery extends PageQuery {
  jobName?: string;
  status?: string;
  namespace?: string;
}

/** Validators of request bodies and of each route's query, compiled once. */
export const validators = {
  webhookCreate: schema<WebhookCreateJson>("WebhookCreate"),
  watcherCreate: schema<WatcherCreateJson>("JobDoneWatcherCreate"),
  watcherQuery: queryOf<WatcherQuery>(openApiDocument.paths["/job-done-watchers"].get.parameters),
  webhookQuery: queryOf<PageQuery>(openApiDocument.paths["/webhooks"].get.parameters),
  counterQuery: ajv.compile<CounterQuery>(
    absoluteRefs({
      type: "object",
      required: ["pod_name"],
      properties: {
        pod_name: { type: "string", minLength: 1, maxLength: 253 },
        namespace: { $ref: "#/components/schemas/DnsLabel" },
      },
      additionalProperties: false,
    }),
  ),
  noQuery: ajv.compile<Record<string, never>>({ type: "object", additionalProperties: false }),
  /** A response: used by tests to keep the document true. */
  response: (name: keyof typeof openApiDocument.components.schemas): ValidateFunction =>
    schema(name),
};

// A route's query parameters, as the document states them.
function queryOf<T>(parameters: readonly { name: string; schema: object }[]): ValidateFunction<T> {
  return ajv.compile<T>(
    absoluteRefs({
      type: "object",
      properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
      additionalProperties: false,
    }),
  );
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
  if (validate(value)) return value;
  const errors = (validate.errors ?? []).map(fieldError);
  throw badRequest(
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

function fieldError(e: ErrorObject): FieldError {
  const path = e.instancePath
    .split("/")
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("")
    .replace(/^\./, "");
  const join = (field: string): string => (path ? `${path}.${field}` : field);
  switch (e.keyword) {
    case "required":
      return { field: join(String(e.params.missingProperty)), message: "is required" };
    case "additionalProperties":
      return { field: join(String(e.params.additionalProperty)), message: "is not a known field" };
    case "pattern":
      return {
        field: path,
        message:
          "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
      };
    default:
      return { field: path || "(body)", message: e.message ?? "is not valid" };
  }
}

export type { Problem };
