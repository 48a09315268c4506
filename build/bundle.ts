/**
 * Run by `npm run build` after tsc: bundles the CLI (dist/cli/main.js and every module it
 * imports, its packages too) into dist/bin/, the `jobhooks` command that ships. Each role's lazy
 * imports become chunks of their own, loaded as before only by the role that needs them.
 *
 * Why: Node loads each ES module file on its own. `jobhooks all` reached about 800 files, ours
 * and its packages', and spent more time resolving and linking them than running them: its REST
 * API answered about 600 ms after the spawn, bundled about 350 ms, and with whitespace and syntax
 * minified about 280 ms.
 */
import { build } from "esbuild";
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

const dist = fileURLToPath(new URL("../", import.meta.url));

const { metafile } = await build({
  // The metafile's paths are from the repository's root: `dist/bin/…`.
  absWorkingDir: fileURLToPath(new URL("../../", import.meta.url)),
  metafile: true,
  entryPoints: { jobhooks: `${dist}cli/main.js` },
  outdir: `${dist}bin`,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  // Bundled CommonJS packages require Node's built-in modules; an ES module has no require.
  banner: {
    js: 'import { createRequire as createRequireOfBundle } from "node:module"; const require = createRequireOfBundle(import.meta.url);',
  },
  // Smaller files parse sooner (about a third of the start-up's CPU was parsing chunks); names
  // are kept, so a stack trace still names its functions.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
});
// What each output imports, for the package test (test/package/runtimeGraph.ts); not shipped.
writeFileSync(`${dist}bundle-meta.json`, JSON.stringify(metafile));
