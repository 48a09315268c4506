import { expect } from "chai";
import { rejects } from "../../../test/support/rejects.js";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "../StoreHealth.js";
import { StoreSpecError } from "../storeSpec.js";
import { SqliteStore as Store } from "./SqliteStore.js";

describe("Store.open", () => {
  it("opens, migrates and reopens a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-store-"));
    try {
      await Store.open({ kind: "sqlite", path: join(dir, "a", "jobhooks.db") }).close();
      await Store.open({ kind: "sqlite", path: join(dir, "a", "jobhooks.db") }).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which path cannot be opened, as bad input", () => {
    const dir = mkdtempSync(join(tmpdir(), "jobhooks-store-"));
    try {
      // A file where the folder should be: as unwritable as a read-only root, even for root.
      writeFileSync(join(dir, "file"), "");
      const path = join(dir, "file", "jobhooks.db");
      expect(() => Store.open({ kind: "sqlite", path })).to.throw(
        StoreSpecError,
        /cannot open the store .*file\/jobhooks.db: .*writable folder/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Store on a full disk", function () {
  let dir: string | undefined;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "jobhooks-full-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir], { stdio: "ignore" });
    } catch {
      rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      console.log("      skipped: cannot mount a tmpfs here (CI runs as root and can)");
      this.skip();
    }
  });

  after(() => {
    if (!dir) return;
    execFileSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("is an outage, not a crash: StoreUnavailableError, health failing, then writes again", async () => {
    const root = dir ?? "";
    const store = Store.open({ kind: "sqlite", path: join(root, "jobhooks.db") });
    try {
      const filler = join(root, "filler");
      const fd = openSync(filler, "w");
      try {
        for (const size of [65536, 512, 1]) {
          try {
            for (;;) writeSync(fd, Buffer.alloc(size));
          } catch {
            // ENOSPC: next, smaller chunks
          }
        }
      } finally {
        closeSync(fd);
      }
      const write = (): Promise<void> =>
        store.webhooks.insert({
          id: `w${Date.now()}${Math.random()}`,
          url: "http://127.0.0.1/x",
          requestBody: "y".repeat(8192),
          description: "",
          secret: undefined,
          createdAt: new Date(),
        });
      await rejects(write(), StoreUnavailableError, /SQLITE_FULL/);
      expect(store.health.failure?.reason).to.match(/SQLITE_FULL/);
      await rejects(store.probe(new Date(), true), StoreUnavailableError);

      unlinkSync(filler);
      await store.probe(new Date(), true);
      store.health.recovered();
      await write();
      expect(store.health.failure).to.equal(undefined);
    } finally {
      await store.close();
    }
  });
});
