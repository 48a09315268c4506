import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as compiled from "./compiledValidators.js";
import { VALIDATOR_SCHEMAS } from "./validatorSchemas.js";
import { asImports, validatorsSource } from "./validatorsSource.js";

describe("validators compiled at build time", () => {
  it("are one function per schema of VALIDATOR_SCHEMAS, as the build wrote them", () => {
    expect(Object.keys(compiled).sort()).to.deep.equal(Object.keys(VALIDATOR_SCHEMAS).sort());
    for (const validate of Object.values(compiled)) expect(validate).to.be.a("function");
    const written = readFileSync(new URL("./compiledValidators.js", import.meta.url), "utf8");
    expect(written).to.equal(validatorsSource());
  });

  it("import Ajv's runtime helpers, each once, rather than require them", () => {
    const code = asImports(
      '"use strict";const a = require("ajv/dist/runtime/equal").default;' +
        'const b = require("ajv/dist/runtime/ucs2length").default;const c = require("ajv/dist/runtime/equal");',
    );
    expect(code).to.not.include("require(");
    expect(code).to.include('import dependency0 from "ajv/dist/runtime/equal.js";');
    expect(code).to.include('import dependency1 from "ajv/dist/runtime/ucs2length.js";');
    expect(code).to.include("const c = dependency0;");
    expect(validatorsSource()).to.not.match(/\brequire\(/);
  });
});
