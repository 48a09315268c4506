import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { openApiDocument } from "../../rest/openapi/document.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema({ $id: "doc", components: openApiDocument.components });

interface Response {
  content?: Record<string, { schema: object }>;
  headers?: Record<string, { required?: boolean; schema: object }>;
}
type Operation = { responses: Record<string, Response> };

/**
 * Problems with a real response against the served document: the status must be documented for
 * the operation, the body must fit its schema, and the headers it requires (Retry-After on a 503)
 * must be there and fit theirs. Empty when it conforms.
 */
export function nonConformance(
  method: string,
  pathTemplate: string,
  res: { status: number; contentType: string; body: unknown; headers?: Headers },
): string[] {
  const paths = openApiDocument.paths as unknown as Record<string, Record<string, Operation>>;
  const operation = paths[pathTemplate]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${pathTemplate} is not in the document`];
  const response = operation.responses[String(res.status)];
  if (!response) return [`${method} ${pathTemplate}: status ${res.status} is not documented`];
  if (response.content === undefined) {
    return res.body === undefined
      ? []
      : [`${method} ${pathTemplate} ${res.status}: a body where the document has none`];
  }
  const mediaType = res.contentType.split(";")[0]!.trim();
  const media = response.content[mediaType];
  if (!media)
    return [`${method} ${pathTemplate} ${res.status}: content type ${mediaType} is not documented`];
  const schema = JSON.parse(
    JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/'),
  ) as object;
  const validate = ajv.compile(schema);
  const problems = validate(res.body)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${method} ${pathTemplate} ${res.status}: ${e.instancePath} ${e.message ?? ""}`,
      );
  return [...problems, ...headerProblems(response, res.headers, `${method} ${pathTemplate}`)];
}

function headerProblems(response: Response, headers: Headers | undefined, what: string): string[] {
  if (!headers) return [];
  return Object.entries(response.headers ?? {}).flatMap(([name, header]) => {
    const value = headers.get(name);
    if (value === null) return header.required ? [`${what}: no ${name} header`] : [];
    const fits: boolean = ajv.validate(header.schema, value);
    return fits ? [] : [`${what}: ${name} ${JSON.stringify(value)} does not fit its schema`];
  });
}
