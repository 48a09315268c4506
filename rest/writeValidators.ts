// Run by `npm run build` after tsc: writes compiledValidators.js beside this file.
import { writeFileSync } from "node:fs";
import { validatorsSource } from "./validatorsSource.js";

writeFileSync(new URL("./compiledValidators.js", import.meta.url), validatorsSource());
