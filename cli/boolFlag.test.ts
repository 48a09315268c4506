import { expect } from "chai";
import { expandBareBooleans, parseBool, SeparateBoolValueError } from "./boolFlag.js";

const isBoolean = (arg: string): boolean => arg === "--allow-negative" || arg === "--self-signed";

describe("boolFlag", () => {
  it("reads strconv.ParseBool's spellings and nothing else", () => {
    for (const t of ["1", "t", "T", "true", "TRUE", "True"]) expect(parseBool(t), t).to.equal(true);
    for (const f of ["0", "f", "F", "false", "FALSE", "False"])
      expect(parseBool(f), f).to.equal(false);
    for (const bad of ["", "yes", "on", "tRuE", " true"])
      expect(() => parseBool(bad), JSON.stringify(bad)).to.throw(/true or false/);
  });

  it("writes out bare flags as =true, leaves =values, other flags and what follows -- alone", () => {
    expect(
      expandBareBooleans(
        ["--allow-negative", "--label", "busy", "--self-signed=false", "--", "--self-signed"],
        isBoolean,
      ),
    ).to.deep.equal([
      "--allow-negative=true",
      "--label",
      "busy",
      "--self-signed=false",
      "--",
      "--self-signed",
    ]);
    expect(expandBareBooleans(["--self-signed"], isBoolean)).to.deep.equal(["--self-signed=true"]);
  });

  it("refuses a bare flag followed by a boolean word, naming the = form", () => {
    expect(() => expandBareBooleans(["--allow-negative", "false"], isBoolean))
      .to.throw(SeparateBoolValueError)
      .with.property("message")
      .that.contains("--allow-negative=false");
    expect(() => expandBareBooleans(["--self-signed", "1"], isBoolean)).to.throw(/--self-signed=1/);
  });
});
