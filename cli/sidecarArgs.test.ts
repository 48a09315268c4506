import { expect } from "chai";
import { buildProgram } from "./program.js";
import { parseSidecarArgs } from "./sidecarArgs.js";

/** What commander makes of `jobhooks sidecar ARGS` with `env`: the options, or its error. */
function commanderParse(args: string[], env: Record<string, string>): unknown {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const program = buildProgram().exitOverride();
    const sidecar = program.commands.find((c) => c.name() === "sidecar");
    let options: unknown;
    sidecar
      ?.exitOverride()
      .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
      .action((o: unknown) => {
        options = o;
      });
    program.parse(["sidecar", ...args], { from: "user" });
    return options;
  } catch (err) {
    return err;
  } finally {
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = saved[key];
    }
  }
}

const ALL = [
  "--listen=127.0.0.1:0",
  "--controlplane",
  "cp:9090",
  "--token-file=/t",
  "--probe-listen",
  ":8182",
  "--log-level=debug",
];

// Each: the arguments after `sidecar`, and the environment.
const READ_HERE: [string[], Record<string, string>][] = [
  [[], {}],
  [ALL, {}],
  [["--listen", "127.0.0.1:1", "--listen=127.0.0.1:2"], {}],
  [["--listen="], {}],
  [["--controlplane=--x"], {}],
  [["--log-level", "silent"], {}],
  [[], { JOBHOOKS_LISTEN: "127.0.0.1:3", JOBHOOKS_PROBE_LISTEN: ":1", JOBHOOKS_LOG_LEVEL: "warn" }],
  [["--token-file=/a"], { JOBHOOKS_TOKEN_FILE: "/b", JOBHOOKS_CONTROLPLANE: "" }],
];

const COMMANDERS: [string[], Record<string, string>][] = [
  [["--help"], {}],
  [["-h"], {}],
  [["--version"], {}],
  [["--listen"], {}],
  [["--listen", "--controlplane=x"], {}],
  [["--listen", "-x"], {}],
  [["--unknown=1"], {}],
  [["--health-listen=:1"], {}],
  [["operand"], {}],
  [["--", "--listen=x"], {}],
  [["--log-level=loud"], {}],
  [[], { JOBHOOKS_LOG_LEVEL: "loud" }],
];

describe("jobhooks sidecar's own parser (sidecarArgs.ts)", () => {
  it("reads flags, environment and defaults as commander does", () => {
    for (const [args, env] of READ_HERE) {
      const ours = parseSidecarArgs(args, env);
      expect(ours, `${args.join(" ")} ${JSON.stringify(env)}`).to.deep.equal(
        commanderParse(args, env),
      );
    }
  });

  it("leaves help, --version, errors and anything unusual to commander", () => {
    for (const [args, env] of COMMANDERS) {
      expect(parseSidecarArgs(args, env), args.join(" ")).to.equal(undefined);
    }
  });
});
