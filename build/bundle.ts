/**
 * Run by `npm run build` after tsc: bundles the CLI (dist/cli/main.js and every module it
 * imports, its packages too) into dist/bin/, the `jobhooks` command that ships.
 *
 * Why: Node loads each ES module file on its own. `jobhooks all` reached about 800 files, ours
 * and its packages', and spent more time resolving and linking them than running them: its REST
 * API answered about 600 ms after the spawn, bundled about 350 ms, and with whitespace and syntax
 * minified about 280 ms.
 *
 * Two builds:
 * - `dist/bin/jobhooks.js`, CommonJS (dist/bin/package.json says so): cli/main.ts and what the
 *   sidecar's command loads, in one file. The sidecar runs in every injected pod; started as an
 *   ES module, Node's ES module loader alone cost it about 1 MiB more resident memory.
 * - `dist/bin/program.mjs` and its `.mjs` chunks, ES modules: every other command (commander's
 *   program.ts), which main.ts imports when the command line is not the sidecar's. Each role's
 *   lazy imports are chunks of their own, loaded as before only by the role that needs them
 *   (esbuild splits ES modules only).
 */
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Packages left to Node's resolution at run time: a native addon, and what one role may load. */
export const EXTERNAL = [
  // Native: its compiled addon is found beside its package.
  "better-sqlite3",
  // Only with a PostgreSQL --store; its optional native binding is never installed.
  "pg",
  "pg-native",
  // Only for a kubeconfig with an exec plugin or an auth provider (kubeconfig.ts).
  "@kubernetes/client-node",
];

const root = fileURLToPath(new URL("../../", import.meta.url));
const dist = fileURLToPath(new URL("../", import.meta.url));
const outdir = `${dist}bin`;
// main.ts' import of program.ts, as the ES module build writes it.
const PROGRAM = "./program.mjs";

const common = {
  // The metafile's paths are from the repository's root: `dist/bin/…`.
  absWorkingDir: root,
  metafile: true as const,
  outdir,
  bundle: true,
  platform: "node" as const,
  target: "node20",
  external: EXTERNAL,
  // Smaller files parse sooner (about a third of the start-up's CPU was parsing chunks); names
  // are kept, so a stack trace still names its functions.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning" as const,
} satisfies BuildOptions;

// main.ts imports "./program.js"; in dist/bin that is the ES module build's entry.
const programOfEsmBuild: Plugin = {
  name: "program-of-esm-build",
  setup(b) {
    b.onResolve({ filter: /^\.\/program\.js$/ }, () => ({ path: PROGRAM, external: true }));
  },
};

const [esm, cjs] = await Promise.all([
  build({
    ...common,
    entryPoints: { program: `${dist}cli/program.js` },
    splitting: true,
    format: "esm",
    outExtension: { ".js": ".mjs" },
    // Bundled CommonJS packages require Node's built-in modules; an ES module has no require.
    banner: {
      js: 'import { createRequire as createRequireOfBundle } from "node:module"; const require = createRequireOfBundle(import.meta.url);',
    },
  }),
  build({
    ...common,
    entryPoints: { jobhooks: `${dist}cli/main.js` },
    format: "cjs",
    plugins: [programOfEsmBuild],
    // import.meta.url, in a CommonJS file: this file's URL, as in an ES module.
    define: { "import.meta.url": "importMetaUrlOfBundle" },
    banner: {
      js: '"use strict"; const importMetaUrlOfBundle = require("node:url").pathToFileURL(__filename).href;',
    },
  }),
]);

writeFileSync(`${outdir}/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
// What each output imports, for the package test (test/package/runtimeGraph.ts); not shipped.
// main.ts' import of program.mjs is a file of the bundle, not a package.
const outputs: Metafile["outputs"] = { ...esm.metafile.outputs, ...cjs.metafile.outputs };
for (const output of Object.values(outputs))
  for (const i of output.imports)
    if (i.path === PROGRAM) Object.assign(i, { path: "dist/bin/program.mjs", external: false });
writeFileSync(`${dist}bundle-meta.json`, JSON.stringify({ outputs }));
