import { expect } from "chai";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../cluster/paths.js";
import { runtimeGraph, type BundleMeta, type RuntimeGraph } from "./runtimeGraph.js";

// The bundle (build/bundle.ts): the entry and its chunks, each role's lazy imports among them.
const BIN = "dist/bin/jobhooks.js";
const ROLES = ["controlplane", "gateway", "sidecar", "all"];
// The chunk each role's entry module starts (serve.ts, or serveSidecar.ts, imports it when the role
// starts; the sidecar's command has it in jobhooks.js too, program.mjs in a chunk).
const ROLE_CHUNKS = ["Controlplane", "Gateway", "createSidecar"];

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

function node(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 15_000,
  });
}

function missingFrom(files: Set<string>, wanted: string[]): string[] {
  return wanted.filter((f) => !files.has(f));
}

// The package is what `npm pack` makes of the built tree (run `npm run build` first); it is
// unpacked beside a link to this checkout's node_modules and run from there.
describe("npm package", function () {
  this.timeout(60_000);
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as PackageJson;
  let dir: string;
  let unpacked: string;
  let files: Set<string>;
  let graph: RuntimeGraph;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "jobhooks-pack-"));
    // --ignore-scripts: a prepack script would rebuild dist/ under the running tests.
    const packed = spawnSync(
      "npm",
      ["pack", "--json", "--ignore-scripts", "--pack-destination", dir],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(packed.status, packed.stderr).to.equal(0);
    const [result] = JSON.parse(packed.stdout) as PackResult[];
    files = new Set(result!.files.map((f) => f.path));
    const untar = spawnSync("tar", ["-xzf", join(dir, result!.filename), "-C", dir]);
    expect(untar.status, String(untar.stderr)).to.equal(0);
    unpacked = join(dir, "package");
    symlinkSync(join(repoRoot, "node_modules"), join(unpacked, "node_modules"), "dir");
    const meta = JSON.parse(
      readFileSync(join(repoRoot, "dist", "bundle-meta.json"), "utf8"),
    ) as BundleMeta;
    graph = runtimeGraph(repoRoot, [BIN], meta);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("holds the bin, every module the CLI reaches (each role's too), and the files they read", () => {
    expect(pkg.bin.jobhooks).to.equal(BIN);
    // The walk follows serve.ts's lazy imports: every role's entry module is reached.
    expect(graph.modules).to.include(BIN);
    for (const chunk of ROLE_CHUNKS) {
      const named = new RegExp(`^dist/bin/${chunk}-\\w+\\.mjs$`);
      expect(
        graph.modules.some((m) => named.test(m)),
        chunk,
      ).to.equal(true);
    }
    expect(missingFrom(files, graph.modules)).to.deep.equal([]);
    // It says the bin is CommonJS (build/bundle.ts), and the chunks are ES modules by name.
    expect(missingFrom(files, ["dist/bin/package.json"])).to.deep.equal([]);
    // Every file a module reads is one the walk sees (a literal path).
    expect(graph.unfollowed).to.deep.equal([]);
    expect(graph.reads).to.include.members(["package.json", "proto/gen/jobhooks.binpb"]);
    expect(missingFrom(files, graph.reads)).to.deep.equal([]);
    // README.md links to docs/: the pages travel with it.
    const docs = ["README.md", "LICENSE", "docs/webhooks.md", "docs/install.md"].filter((f) =>
      existsSync(join(repoRoot, f)),
    );
    expect(missingFrom(files, ["package.json", ...docs])).to.deep.equal([]);
  });

  it("imports only npm packages that are production dependencies", () => {
    const dependencies = Object.keys(pkg.dependencies);
    expect(graph.packages.filter((p) => !dependencies.includes(p))).to.deep.equal([]);
  });

  it("ships only the built code: test files, benchmarks and TypeScript sources stay out", () => {
    const unwanted = [...files].filter(
      (f) =>
        /^(dist\/)?(test|bench)\//.test(f) ||
        /\.test\.js(\.map)?$/.test(f) ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")),
    );
    expect(unwanted).to.deep.equal([]);
  });

  it("starts from the unpacked package: version, and --help of every role", () => {
    const main = join(unpacked, BIN);
    const version = node([main, "version"]);
    expect(version.status, version.stderr).to.equal(0);
    expect(version.stdout.trim()).to.equal(pkg.version);
    for (const role of ROLES) {
      const help = node([main, role, "--help"]);
      expect(help.status, `${role} --help: ${help.stderr}`).to.equal(0);
      expect(help.stdout).to.include(`Usage: jobhooks ${role} `);
    }
  });

  it("loads every module the CLI reaches from the unpacked package, and finds what they read", () => {
    const urls = graph.modules
      .filter((m) => m !== BIN)
      .map((m) => pathToFileURL(join(unpacked, m)).href);
    const load = node(
      [
        "--input-type=module",
        "-e",
        "for (const u of JSON.parse(process.env.MODULES)) await import(u); process.exit(0);",
      ],
      { MODULES: JSON.stringify(urls) },
    );
    expect(load.status, load.stderr).to.equal(0);
    expect(graph.reads.filter((r) => !existsSync(join(unpacked, r)))).to.deep.equal([]);
  });
});
