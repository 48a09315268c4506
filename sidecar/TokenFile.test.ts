import { expect } from "chai";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TokenFile, TokenFileError } from "./TokenFile.js";

/** A projected volume as the kubelet lays it out: token → ..data/token, ..data → a dated dir. */
function projectedVolume(): { path: string; rotate: (token: string) => void; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-token-"));
  let n = 0;
  const rotate = (token: string): void => {
    const version = `..2024_01_01_00_00_0${n++}`;
    mkdirSync(join(dir, version));
    writeFileSync(join(dir, version, "token"), `${token}\n`);
    symlinkSync(version, join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  };
  symlinkSync(join("..data", "token"), join(dir, "token"));
  return { path: join(dir, "token"), rotate, remove: () => rmSync(dir, { recursive: true }) };
}

describe("TokenFile", () => {
  it("reads the token without its newline and follows the kubelet's symlink swap", async () => {
    const volume = projectedVolume();
    try {
      volume.rotate("first");
      const file = new TokenFile(volume.path, 0);
      expect(await file.read()).to.equal("first");
      volume.rotate("second");
      expect(await file.read()).to.equal("second");
    } finally {
      volume.remove();
    }
  });

  it("reuses the token within the recheck interval", async () => {
    const volume = projectedVolume();
    try {
      volume.rotate("first");
      const file = new TokenFile(volume.path, 60_000);
      expect(await file.read()).to.equal("first");
      volume.rotate("second");
      expect(await file.read()).to.equal("first");
    } finally {
      volume.remove();
    }
  });

  it("fails with the path when the file is missing or empty, and recovers when it is back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-token-"));
    const path = join(dir, "token");
    try {
      const file = new TokenFile(path, 0);
      let err = await file.read().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TokenFileError);
      expect((err as Error).message)
        .to.contain(path)
        .and.contain("ENOENT");
      writeFileSync(path, "\n");
      err = await file.read().catch((e: unknown) => e);
      expect((err as Error).message).to.contain("is empty");
      writeFileSync(path, "back");
      expect(await file.read()).to.equal("back");
      rmSync(path);
      expect(await file.read().catch((e: unknown) => e)).to.be.instanceOf(TokenFileError);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
