import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, relative, resolve, sep } from "node:path";

/** What the compiled CLI needs at runtime, found by following its imports. */
export interface RuntimeGraph {
  /** Every module reached, as paths relative to the root (`dist/bin/jobhooks.js`, its chunks). */
  modules: string[];
  /** npm packages imported by those modules (`express`, `@kubernetes/client-node`, …). */
  packages: string[];
  /** Files read through `new URL("…", import.meta.url)`, relative to the root. */
  reads: string[];
  /** Modules that use `import.meta.url` in a way this walk cannot follow. */
  unfollowed: string[];
}

const URL_LITERAL = /new URL\(\s*(["'])([^"']+)\1\s*,\s*import\.meta\.url\s*\)/g;
const IMPORT_META_URL = /import\.meta\.url/g;
// A require function for the module (lazyModule, the bundle's banner): packages, not files.
const CREATE_REQUIRE = /createRequire\w*\(\s*import\.meta\.url\s*\)/g;
// common/packageFile.ts: a file of the package, named by a literal path from its root.
const PACKAGE_FILE = /packageFile\(\s*(["'])([^"']+)\1\s*\)/g;
// common/lazyModule.ts: a package required on first use, named by a literal.
const LAZY_MODULE = /lazyModule\(\s*(["'])([^"']+)\1\s*\)/g;

/** `@scope/name/deep/path` → `@scope/name`; `name/deep` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(specifier);
}

/** What esbuild's metafile says of each output file: the imports it was written with. */
export interface BundleMeta {
  outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
}

/**
 * Walks the bundle from its entries (paths relative to root) along the imports esbuild recorded
 * in `meta` (static, dynamic and require() calls; a bundled package's messages may quote import
 * statements, which a scan of the text would take for imports), and finds in each file the
 * packages `lazyModule("…")` requires and the files `packageFile("…")` or a literal
 * `new URL("…", import.meta.url)` reads.
 */
export function runtimeGraph(root: string, entries: string[], meta: BundleMeta): RuntimeGraph {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const reads = new Set<string>();
  const unfollowed: string[] = [];
  const queue = entries.map((e) => resolve(root, e));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    const output = meta.outputs[toRoot(root, file)];
    if (!output) throw new Error(`${toRoot(root, file)} is not in the bundle's metafile`);
    for (const { path, external } of output.imports) {
      if (!external) queue.push(resolve(root, path));
      else if (!isBuiltin(path)) packages.add(packageName(path));
    }
    for (const m of text.matchAll(LAZY_MODULE)) packages.add(packageName(m[2] ?? ""));
    const literal = [...text.matchAll(URL_LITERAL)];
    for (const m of literal) {
      const read = toRoot(root, resolve(dirname(file), m[2] ?? ""));
      // packageFile's root ("../../"): the files are its callers' literals.
      if (!m[2]?.endsWith("/")) reads.add(read);
    }
    for (const m of text.matchAll(PACKAGE_FILE)) reads.add(m[2] ?? "");
    const requires = (text.match(CREATE_REQUIRE) ?? []).length;
    if ((text.match(IMPORT_META_URL) ?? []).length > literal.length + requires)
      unfollowed.push(toRoot(root, file));
  }
  return {
    modules: [...seen].map((f) => toRoot(root, f)).sort(),
    packages: [...packages].sort(),
    reads: [...reads].sort(),
    unfollowed: unfollowed.sort(),
  };
}

function toRoot(root: string, file: string): string {
  return relative(root, file).split(sep).join("/");
}
