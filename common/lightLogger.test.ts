import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { pino } from "pino";
import { createLightLogger } from "./lightLogger.js";
import type { Logger, LogLevel } from "./logger.js";

/** A logger of each kind writing to `lines`: the sidecar's, and pino as the servers make it. */
function loggers(level: LogLevel = "trace"): { light: Logger; real: Logger; lines: string[][] } {
  const lightLines: string[] = [];
  const pinoLines: string[] = [];
  const light = createLightLogger(level, "sidecar", (line) => lightLines.push(line));
  // The servers' createLogger (pinoLogger.ts), with a stream in place of stdout.
  const real: Logger = pino(
    { level, base: { component: "sidecar" } },
    {
      write: (line: string) => pinoLines.push(line),
    },
  );
  return { light, real, lines: [lightLines, pinoLines] };
}

/** The line with its time, which two loggers cannot share, set to 0. */
const timeless = (line: string): string => line.replace(/"time":\d+,/, '"time":0,');

class RefusedError extends Error {
  code = "E_REFUSED";
  override name = "RefusedError";
}

describe("createLightLogger", () => {
  describe("writes the line pino writes for the same call", () => {
    const cause = new Error("socket closed");
    const err = new Error("call failed", { cause });
    Object.assign(err, { code: 14, details: "unavailable", inner: new TypeError("bad") });
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    // Made once: both loggers must see the same stacks.
    const refused = new RefusedError("no");
    const both = new AggregateError([err, cause], "both");
    const why = new Error("x", { cause: "why" });
    const loop = circularCause();
    const cases: [string, (log: Logger) => void][] = [
      ["a message", (log) => log.info("sidecar listening")],
      ["fields and a message", (log) => log.info({ address: "127.0.0.1:8181" }, "listening")],
      ["fields alone", (log) => log.warn({ attempt: 2, backoffMs: 250.5 })],
      ["nested fields", (log) => log.debug({ pod: { name: "p", labels: ["a", "b"] } }, "m")],
      ["an Error and a message", (log) => log.error(err, "hold failed")],
      ["an Error alone: its message is the line's", (log) => log.error(err)],
      ["an err field alone", (log) => log.error({ err })],
      ["an err field, fields, a message", (log) => log.warn({ err: cause, pod: "p" }, "retry")],
      ["an err that is no error", (log) => log.warn({ err: "text" }, "odd")],
      ["a subclass with own fields", (log) => log.error(refused, "refused")],
      ["an AggregateError", (log) => log.error(both)],
      ["a cause that is no error", (log) => log.error(why, "m")],
      ["circular causes", (log) => log.fatal(loop, "loop")],
      [
        "undefined, function, NaN and Date fields",
        (log) => log.info({ u: undefined, f: () => 1, n: NaN, d: new Date(0) }, "odd"),
      ],
      ["quotes, newlines and unicode", (log) => log.info({ 'k"ey': "a\nb" }, 'say "hé" ✓')],
      ["a circular object", (log) => log.info({ circular }, "loop")],
      ["each level", (log) => eachLevel(log)],
      [
        "child bindings, nested",
        (log) => log.child({ part: "hold" }).child({ id: 7 }).info({ n: 1 }, "m"),
      ],
      ["an err binding", (log) => log.child({ err: cause }).warn("bound")],
      ["a binding pino leaves out", (log) => log.child({ level: 99, part: "p" }).info("m")],
    ];
    for (const [name, call] of cases) {
      it(name, () => {
        const { light, real, lines } = loggers();
        call(light);
        call(real);
        const [ours, theirs] = lines.map((l) => l.map(timeless));
        expect(ours).to.have.length.above(0);
        expect(ours).to.deep.equal(theirs);
      });
    }
  });

  it("writes one line per call: level, time (epoch ms), component, fields, msg", () => {
    const lines: string[] = [];
    const before = Date.now();
    createLightLogger("info", "sidecar", (l) => lines.push(l)).info({ a: 1 }, "hi");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      /^\{"level":30,"time":\d+,"component":"sidecar","a":1,"msg":"hi"\}\n$/,
    );
    const entry = JSON.parse(lines[0] ?? "") as { time: number };
    expect(entry.time).to.be.within(before, Date.now());
  });

  it("serializes an err like pino: type, message and stack with causes, own fields", () => {
    const lines: string[] = [];
    const err = Object.assign(new Error("outer", { cause: new Error("inner") }), { code: "E1" });
    createLightLogger("info", "c", (l) => lines.push(l)).error(err, "failed");
    const entry = JSON.parse(lines[0] ?? "") as { err: Record<string, unknown>; msg: string };
    expect(Object.keys(entry.err)).to.deep.equal(["type", "message", "stack", "code"]);
    expect(entry.err.type).to.equal("Error");
    expect(entry.err.message).to.equal("outer: inner");
    expect(entry.err.stack).to.match(/^Error: outer\n[^]*\ncaused by: Error: inner\n/);
    expect(entry.msg).to.equal("failed");
  });

  describe("levels", () => {
    it("writes the level set and above, nothing below", () => {
      const { light, lines } = loggers("warn");
      eachLevel(light);
      expect(lines[0]?.map((l) => (JSON.parse(l) as { level: number }).level)).to.deep.equal([
        40, 50, 60,
      ]);
    });

    it("writes nothing when silent", () => {
      const { light, lines } = loggers("silent");
      eachLevel(light);
      light.child({ part: "p" }).fatal("no");
      expect(lines[0]).to.deep.equal([]);
    });

    for (const level of ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const) {
      it(`answers level and isLevelEnabled as pino does at ${level}`, () => {
        const { light, real } = loggers(level);
        expect(light.level).to.equal(real.level);
        expect(light.child({ part: "p" }).level).to.equal(level);
        for (const asked of ["trace", "debug", "info", "warn", "error", "fatal", "silent"]) {
          expect(light.isLevelEnabled(asked), asked).to.equal(real.isLevelEnabled(asked));
        }
      });
    }

    it("gives a child its parent's level", () => {
      const { light, lines } = loggers("error");
      const child = light.child({ part: "p" });
      child.warn("no");
      child.error("yes");
      expect(lines[0]).to.have.length(1);
    });
  });

  it("leaves its parent's bindings as they were", () => {
    const { light, lines } = loggers();
    light.child({ part: "a" });
    light.info("parent");
    expect(JSON.parse(lines[0]?.[0] ?? "")).to.not.have.property("part");
  });

  it("writes to stdout by default, and loads no module from node_modules", () => {
    const url = new URL("./lightLogger.js", import.meta.url).href;
    const script = `import { createLightLogger } from ${JSON.stringify(url)};
      const log = createLightLogger("info", "sidecar").child({ part: "p" });
      log.debug("hidden"); log.info({ a: 1 }, "one"); log.warn("two");`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(run.stderr).to.equal("");
    const entries = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    expect(entries).to.deep.include.members([
      {
        level: 30,
        time: (entries[0] as { time: number }).time,
        component: "sidecar",
        part: "p",
        a: 1,
        msg: "one",
      },
    ]);
    expect(entries).to.have.length(2);
  });
});

function eachLevel(log: Logger): void {
  log.trace("t");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  log.fatal("f");
}

/** An error whose cause's cause is itself. */
function circularCause(): Error {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  Object.defineProperty(a, "cause", { value: b, enumerable: false });
  return a;
}
