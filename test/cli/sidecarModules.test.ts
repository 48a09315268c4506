import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../cluster/paths.js";
import { spawnTied } from "../cluster/ProcessGroup.js";

const main = join(repoRoot, "dist", "cli", "main.js");

// A module-load trace: an ESM resolve hook that appends each resolved URL under node_modules to
// the file in MODULE_TRACE_FILE (hooks run on their own thread, hence a file).
const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes("/node_modules/")) {
    appendFileSync(process.env.MODULE_TRACE_FILE, resolved.url + "\\n");
  }
  return resolved;
}`;

/** The packages `jobhooks ARGS` loads until it logs `ready` (a message), then it is stopped. */
async function packagesLoaded(dir: string, args: string[], ready: string): Promise<Set<string>> {
  const hooks = pathToFileURL(join(dir, "hooks.mjs")).href;
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  const register = join(dir, "register.mjs");
  writeFileSync(
    register,
    `import { register } from "node:module"; register(${JSON.stringify(hooks)});`,
  );
  const trace = join(dir, `trace-${args[0] ?? ""}.txt`);
  writeFileSync(trace, "");
  const child = spawnTied("env", [
    `MODULE_TRACE_FILE=${trace}`,
    process.execPath,
    "--import",
    pathToFileURL(register).href,
    main,
    ...args,
  ]);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      if ((JSON.parse(line) as { msg?: string }).msg === ready) resolve();
    });
    void exited.then(() => reject(new Error(`jobhooks ${args[0] ?? ""} exited before "${ready}"`)));
  });
  child.kill();
  await exited;
  const packageOf = (url: string): string =>
    /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? url;
  return new Set(readFileSync(trace, "utf8").split("\n").filter(Boolean).map(packageOf));
}

describe("the modules each role loads", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "jobhooks-modules-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the sidecar loads no pino (it logs through the light logger) and no commander", async () => {
    writeFileSync(join(dir, "token"), "a token");
    const loaded = await packagesLoaded(
      dir,
      [
        "sidecar",
        "--listen=127.0.0.1:0",
        "--probe-listen=127.0.0.1:0",
        // Nothing listens there: the sidecar listens regardless, not ready.
        "--controlplane=127.0.0.1:1",
        `--token-file=${join(dir, "token")}`,
      ],
      "sidecar listening",
    );
    expect(loaded).to.include("@bufbuild/protobuf"); // the trace works
    expect([...loaded]).to.not.include("pino");
    // Its arguments are read by cli/sidecarArgs.ts; commander only for help and errors.
    expect([...loaded]).to.not.include("commander");
  });

  it("the gateway logs through pino", async () => {
    const loaded = await packagesLoaded(
      dir,
      [
        "gateway",
        "--listen=127.0.0.1:0",
        "--health-listen=127.0.0.1:0",
        "--controlplane=127.0.0.1:1",
      ],
      "health endpoints listening",
    );
    expect(loaded).to.include("pino");
  });
});
