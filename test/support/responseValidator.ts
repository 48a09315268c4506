import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { componentRef, documentAjv } from "../../rest/validatorSchemas.js";
import type { openApiDocument } from "../../rest/openapi/document.js";

// CommonJS whose default export is the function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let ajv: Ajv2020 | undefined;

/** A validator of one of the document's schemas, for tests that keep responses true to it. */
export function responseValidator(
  name: keyof typeof openApiDocument.components.schemas,
): ValidateFunction {
  ajv ??= documentAjv(Ajv2020, addFormats);
  const validate = ajv.getSchema(componentRef(name));
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}
