import type { Ajv2020 } from "ajv/dist/2020.js";
import { counterParameters, podQueryParameters, renewParameters } from "./openapi/counter.js";
import { openApiDocument } from "./openapi/document.js";
import { idParam } from "./openapi/parts.js";

/** The id under which the document's components are known to Ajv. */
export const DOCUMENT_ID = "jobhooks";

type SchemaName = keyof typeof openApiDocument.components.schemas;

/** A validator's schema: one of the document's components, or a schema of its own. */
export type ValidatorSchema = { component: SchemaName } | { schema: object };

/**
 * Every validator the servers use, by name: request bodies and each route's query. The build
 * compiles them ahead of time (`writeValidators.ts`), so no process compiles a schema at run time.
 */
export const VALIDATOR_SCHEMAS = {
  webhookCreate: { component: "WebhookCreate" },
  webhookRecover: { component: "WebhookRecover" },
  secretRotation: { component: "WebhookSecretRotation" },
  watcherCreate: { component: "JobDoneWatcherCreate" },
  watcherQuery: { schema: queryOf(openApiDocument.paths["/job-done-watchers"].get.parameters) },
  deliveriesQuery: {
    schema: queryOf(
      openApiDocument.paths["/job-done-watchers/{id}/deliveries"].get.parameters.slice(1),
    ),
  },
  webhookQuery: { schema: queryOf(openApiDocument.paths["/webhooks"].get.parameters) },
  /** The sidecar's body: jobName may be left out, it defaults to the pod's own Job. */
  sidecarWatcherCreate: {
    schema: withoutKeys(openApiDocument.components.schemas.JobDoneWatcherCreate, ["oneOf"]),
  },
  counterQuery: { schema: queryOf(counterParameters) },
  podQuery: { schema: queryOf(podQueryParameters) },
  renewQuery: { schema: queryOf(renewParameters) },
  pathId: { schema: idParam.schema },
  noQuery: { schema: { type: "object", additionalProperties: false } },
} as const satisfies Record<string, ValidatorSchema>;

export type ValidatorName = keyof typeof VALIDATOR_SCHEMAS;

/**
 * An Ajv holding the document's components, as the validators are compiled: every error
 * (allErrors), each with its schema (verbose), whose x-rule says the rule in words.
 */
export function documentAjv(
  Ajv: typeof Ajv2020,
  addFormats: (ajv: Ajv2020) => Ajv2020,
  code?: object,
): Ajv2020 {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, ...(code && { code }) });
  addFormats(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: openApiDocument.components });
  return ajv;
}

/** The reference of a component in `documentAjv`. */
export function componentRef(name: SchemaName): string {
  return `${DOCUMENT_ID}#/components/schemas/${name}`;
}

/** A schema of its own, its "#/components/…" references pointed at the document. */
export function absoluteRefs(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', `"${DOCUMENT_ID}#/components/`),
  ) as object;
}

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
