import { expect } from "chai";
import { CommanderError, type Command } from "commander";
import { envName } from "./flag.js";
import { buildProgram } from "./program.js";

/** The options `jobhooks ARGS` would run with (the action replaced), or the parse error. */
function parsed(args: string[], env: Record<string, string> = {}): Record<string, unknown> {
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const program = buildProgram().exitOverride();
    let options: Record<string, unknown> = {};
    for (const cmd of program.commands) {
      cmd.exitOverride().configureOutput({ writeErr: () => undefined });
      cmd.action((o: Record<string, unknown>) => {
        options = o;
      });
    }
    program.parse(args, { from: "user" });
    return options;
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

function parseError(args: string[], env: Record<string, string> = {}): string {
  try {
    parsed(args, env);
  } catch (err) {
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
  throw new Error(`jobhooks ${args.join(" ")} was accepted`);
}

const BOOLEANS = [
  ["controlplane", "--allow-negative", "allowNegative", false],
  ["controlplane", "--remove-on-zero", "removeOnZero", true],
  ["controlplane", "--autoscaler-hints", "autoscalerHints", true],
  ["controlplane", "--pod-deletion-cost", "podDeletionCost", false],
  ["controlplane", "--anonymous-auth", "anonymousAuth", false],
  ["controlplane", "--self-signed", "selfSigned", false],
  ["all", "--allow-negative", "allowNegative", false],
] as const;

describe("jobhooks command line: boolean flags, as Go's flag package takes them", () => {
  it("a bare flag is true and leaves the next flag alone", () => {
    const o = parsed([
      "controlplane",
      "--allow-negative",
      "--remove-on-zero",
      "--anonymous-auth",
      "--self-signed",
      "--grpc-listen",
      "127.0.0.1:1",
    ]);
    expect(o).to.include({
      allowNegative: true,
      removeOnZero: true,
      anonymousAuth: true,
      selfSigned: true,
      grpcListen: "127.0.0.1:1",
    });
  });

  it("--flag=false is false, --flag=true is true; strconv.ParseBool's spellings count", () => {
    for (const [role, long, key] of BOOLEANS) {
      for (const [word, value] of [
        ["false", false],
        ["true", true],
        ["0", false],
        ["1", true],
        ["F", false],
        ["T", true],
        ["FALSE", false],
        ["True", true],
      ] as const) {
        expect(parsed([role, `${long}=${word}`]), `${role} ${long}=${word}`).to.include({
          [key]: value,
        });
      }
    }
  });

  it("without the flag, its default; the environment takes the same values", () => {
    for (const [role, long, key, byDefault] of BOOLEANS) {
      expect(parsed([role]), `${role} ${long}`).to.include({ [key]: byDefault });
      for (const value of [true, false]) {
        expect(parsed([role], { [envName(long)]: String(value) }), envName(long)).to.include({
          [key]: value,
        });
      }
    }
    // The command line wins over the environment.
    const both = parsed(["controlplane", "--allow-negative"], {
      JOBHOOKS_ALLOW_NEGATIVE: "false",
    });
    expect(both).to.include({ allowNegative: true });
  });

  it("refuses a separate value with a message that shows the = form", () => {
    expect(parseError(["controlplane", "--allow-negative", "false"])).to.contain(
      "--allow-negative=false",
    );
    expect(parseError(["controlplane", "--remove-on-zero", "true", "--label=x"])).to.contain(
      "--remove-on-zero=true",
    );
  });

  it("refuses a value that is not a boolean, from the command line or the environment", () => {
    expect(parseError(["controlplane", "--allow-negative=yes"])).to.match(
      /--allow-negative.*'yes'.*true or false/,
    );
    expect(parseError(["controlplane"], { JOBHOOKS_REMOVE_ON_ZERO: "maybe" })).to.match(
      /JOBHOOKS_REMOVE_ON_ZERO.*true or false/,
    );
  });

  it("a `--` ends the flags: what follows is not rewritten", () => {
    const cmd = buildProgram().commands.find((c: Command) => c.name() === "controlplane");
    expect(cmd?.parseOptions(["--", "--allow-negative"]).operands).to.deep.equal([
      "--allow-negative",
    ]);
  });
});
